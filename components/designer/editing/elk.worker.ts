// ELK's layout engine in its own worker, so laying out a large pipeline never blocks the page.
import 'elkjs/lib/elk-worker.min.js';
