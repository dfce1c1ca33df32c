// Monaco's editor worker (diffing, word completion), bundled by Next as its own chunk.
import 'monaco-editor/editor/editor.worker';
