import { describe, expect, it } from 'vitest';
import { renderSelect, table, type Select } from '../../sql/ast';
import { normalizeRows, runNode, type TestInput } from '../../testing/node-harness';
import { postgresRows } from '../../testing/postgres-oracle';
import { cleanText, CleanTextConfig } from './clean-text';

const people: TestInput = {
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'email', type: 'string' },
    { name: 'phone', type: 'string' },
    { name: 'bio', type: 'string' },
  ],
  rows: [
    { id: 1, name: '  ada   lovelace ', email: ' Ada@Example.COM ', phone: '+44 (20) 7946-0958', bio: '<p>Hello <b>world</b></p>' },
    { id: 2, name: 'Zoë\t\tÅngström', email: 'not an email', phone: '555-12', bio: 'plain text, 2024' },
    { id: 3, name: null, email: null, phone: null, bio: null },
    { id: 4, name: 'ÉMILE', email: 'x@y', phone: ' 020 7946 0958 ', bio: '<br/>a<i >b</i>' },
  ],
};

const config = CleanTextConfig.parse({
  steps: [
    { column: 'name', operation: 'collapse_whitespace' },
    { column: 'name', operation: 'trim' },
    { column: 'name', operation: 'upper' },
    { column: 'email', operation: 'normalize_email', nullIfInvalid: true },
    { column: 'phone', operation: 'normalize_phone' },
    { column: 'bio', operation: 'strip_html' },
    { column: 'bio', operation: 'regex_replace', pattern: '(\\d+)', replacement: '#\\1' },
    { column: 'bio', operation: 'lower' },
  ],
});

describe('clean-text config', () => {
  it('fills defaults and needs at least one step', () => {
    expect(CleanTextConfig.parse({ steps: [{ column: 'a', operation: 'trim' }] }).steps[0]).toEqual({ column: 'a', operation: 'trim', pattern: '', replacement: '', nullIfInvalid: false });
    expect(CleanTextConfig.safeParse({ steps: [] }).success).toBe(false);
    expect(CleanTextConfig.safeParse({ steps: [{ column: 'a', operation: 'shout' }] }).success).toBe(false);
  });
});

describe('clean-text propagation', () => {
  it('keeps names and types and marks cleaned columns as derived', () => {
    const result = cleanText.propagate({ config, inputs: { input: people.columns } });
    expect(result.issues).toEqual([]);
    expect(result.outputs.output).toEqual(people.columns);
    expect(result.lineage.output?.id?.how).toBe('copied');
    expect(result.lineage.output?.name).toEqual({ from: [{ port: 'input', column: 'name' }], how: 'derived' });
  });

  it('reports unknown and non-text columns and bad patterns, with paths', () => {
    const bad = CleanTextConfig.parse({
      steps: [
        { column: 'nmae', operation: 'trim' },
        { column: 'id', operation: 'lower' },
        { column: 'bio', operation: 'regex_replace', pattern: '([a-z' },
        { column: 'bio', operation: 'regex_replace' },
      ],
    });
    const issues = cleanText.propagate({ config: bad, inputs: { input: people.columns } }).issues ?? [];
    expect(issues.map((i) => [i.code, i.path.join('.')])).toEqual([
      ['UNKNOWN_COLUMN', 'steps.0.column'],
      ['TYPE_MISMATCH', 'steps.1.column'],
      ['INVALID_VALUE', 'steps.2.pattern'],
      ['INVALID_VALUE', 'steps.3.pattern'],
    ]);
    expect(issues[0]?.message).toContain('did you mean "name"');
  });
});

describe('clean-text plan', () => {
  it('nests the steps of each column in one SELECT, user text as parameters', () => {
    const small = CleanTextConfig.parse({
      steps: [
        { column: 'name', operation: 'trim' },
        { column: 'name', operation: 'regex_replace', pattern: 'a+', replacement: 'b' },
        { column: 'email', operation: 'normalize_email', nullIfInvalid: true },
        { column: 'phone', operation: 'normalize_phone' },
      ],
    });
    const [op] = cleanText.plan({ nodeId: 'c', config: small, inputs: { input: table('t') }, inputColumns: { input: people.columns }, outputTable: () => 'o' });
    const rendered = renderSelect((op as { query: Select }).query, { resolveFile: () => '' });
    expect(rendered.sql).toMatchInlineSnapshot(
      `"SELECT "id", regexp_replace(trim("name"), $1, $2, 'g') AS "name", CASE WHEN regexp_matches(lower(trim("email")), '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$') THEN lower(trim("email")) END AS "email", CASE WHEN (length(regexp_replace("phone", '[^0-9]', '', 'g')) < 7) THEN NULL WHEN starts_with(trim("phone"), '+') THEN concat('+', regexp_replace("phone", '[^0-9]', '', 'g')) ELSE regexp_replace("phone", '[^0-9]', '', 'g') END AS "phone", "bio" FROM "t""`,
    );
    expect(rendered.params).toEqual(['a+', 'b']);
  });

  it('title-cases by capitalising each word-or-gap piece in a list_transform lambda', () => {
    const [op] = cleanText.plan({ nodeId: 'c', config: CleanTextConfig.parse({ steps: [{ column: 'name', operation: 'title_case' }] }), inputs: { input: table('t') }, inputColumns: { input: people.columns.slice(0, 2) }, outputTable: () => 'o' });
    expect(renderSelect((op as { query: Select }).query, { resolveFile: () => '' }).sql).toMatchInlineSnapshot(`"SELECT "id", array_to_string(list_transform(regexp_extract_all(lower("name"), '[\\pL\\pM\\pN]+|[^\\pL\\pM\\pN]+'), lambda "piece": concat(upper(left("piece", 1)), substr("piece", 2))), '') AS "name" FROM "t""`);
  });
});

describe('clean-text rows', () => {
  it('match the same cleaning written by hand in PostgreSQL, NULLs and unicode included', async () => {
    const sluice = await runNode({ kind: 'clean-text', config, inputs: { input: people } });
    const oracle = await postgresRows(
      { people },
      `SELECT id,
         upper(trim(regexp_replace(name, '[ \\t\\n\\r\\f\\v]+', ' ', 'g'))) AS name,
         CASE WHEN lower(trim(email)) ~ '^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$' THEN lower(trim(email)) END AS email,
         CASE WHEN length(regexp_replace(phone, '[^0-9]', '', 'g')) < 7 THEN NULL
              WHEN ltrim(phone) LIKE '+%' THEN '+' || regexp_replace(phone, '[^0-9]', '', 'g')
              ELSE regexp_replace(phone, '[^0-9]', '', 'g') END AS phone,
         lower(regexp_replace(regexp_replace(bio, '<[^>]*>', '', 'g'), '([0-9]+)', '#\\1', 'g')) AS bio
       FROM people`,
    );
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(normalizeRows(sluice.rows).find((r) => r.id === 2)).toMatchObject({ name: 'ZOË ÅNGSTRÖM', email: null, phone: null });
  });

  it('title-cases like PostgreSQL initcap: words are runs of letters and digits, duplicates and NULLs included', async () => {
    const titles: TestInput = {
      columns: [{ name: 't', type: 'string' }],
      rows: [
        { t: 'hello wORLD' },
        { t: "o'neil-smith mcDONALD" },
        { t: '3rd street, 10TH floor' },
        { t: 'zoë ÅNGSTRÖM éCOLE' },
        { t: 'zoë ÅNGSTRÖM éCOLE' },
        { t: 'στρατός δΡΟΜΟΣ' },
        { t: '東京 tokyo' },
        { t: '  two\t\nlines  ' },
        { t: null },
      ],
    };
    const sluice = await runNode({ kind: 'clean-text', config: { steps: [{ column: 't', operation: 'title_case' }] }, inputs: { input: titles } });
    const oracle = await postgresRows({ titles }, 'SELECT initcap(t) AS t FROM titles');
    expect(normalizeRows(sluice.rows, { sort: true })).toEqual(normalizeRows(oracle, { sort: true }));
    expect(sluice.rows.map((r) => r.t)).toContain("O'Neil-Smith Mcdonald");
  });

  it('title-cases a word with a combining accent as one word (PostgreSQL initcap splits it there)', async () => {
    const input: TestInput = { columns: [{ name: 't', type: 'string' }], rows: [{ t: 'cafe\u0301s ope\u0301ra' }] };
    const sluice = await runNode({ kind: 'clean-text', config: { steps: [{ column: 't', operation: 'title_case' }] }, inputs: { input } });
    expect(sluice.rows).toEqual([{ t: 'Cafe\u0301s Ope\u0301ra' }]);
  });

  it('handles an empty input', async () => {
    const sluice = await runNode({ kind: 'clean-text', config, inputs: { input: { ...people, rows: [] } } });
    expect(sluice.rows).toEqual([]);
    expect(sluice.columns).toEqual(['id', 'name', 'email', 'phone', 'bio']);
  });
});
