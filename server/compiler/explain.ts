// A readable account of an execution plan: each stage, what it waits for, and
// the SQL it will run (file paths shown relative to the workspace; bound values
// listed apart, as the engine binds them).
import { quoteIdent, quoteString, renderSelect, withCsvLineErrors, type RenderContext, type SqlValue } from '../sql/ast';
import { copyOptions, type StageOp } from '../sql/ops';
import type { ExecutionPlan } from './compile';

export interface ExplainedStep {
  op: StageOp['op'];
  sql: string;
  params: SqlValue[];
}

export interface ExplainedStage {
  id: string;
  kind: string;
  dependsOn: string[];
  steps: ExplainedStep[];
}

const shownPaths: RenderContext = { resolveFile: (ref) => `workspace:${ref.workspacePath}` };

function explainOp(op: StageOp): ExplainedStep {
  switch (op.op) {
    case 'materialize': {
      if (op.deferred) {
        const view = renderSelect(withCsvLineErrors(op.query, { t: 'fail' }), shownPaths);
        const table = renderSelect(withCsvLineErrors(op.query, { t: 'skip' }), shownPaths);
        const sql = [
          `-- count the rows, recording malformed lines: SELECT count(*) FROM (${renderSelect(op.query, shownPaths).sql});`,
          `-- then, if no line was malformed (its readers parse the file again):`,
          `CREATE VIEW ${quoteIdent(op.table)} AS ${view.sql};`,
          `-- else:`,
          `CREATE TABLE ${quoteIdent(op.table)} AS ${table.sql}`,
        ].join('\n');
        return { op: op.op, sql, params: view.params };
      }
      const q = renderSelect(op.query, shownPaths);
      return { op: op.op, sql: `CREATE TABLE ${quoteIdent(op.table)} AS ${q.sql}`, params: q.params };
    }
    case 'writeFile': {
      const q = renderSelect(op.query, shownPaths);
      return { op: op.op, sql: `COPY (${q.sql}) TO ${quoteString(`workspace:${op.file.workspacePath}`)} (${copyOptions(op)})`, params: q.params };
    }
    case 'loadExcel':
      return { op: op.op, sql: `-- stream ${op.file.workspacePath}${op.sheet ? ` sheet ${op.sheet}` : ''}${op.range ? ` range ${op.range}` : ''} into ${quoteIdent(op.table)} (${op.columns.map((c) => `${c.name} ${c.type}`).join(', ')})`, params: [] };
    case 'checkCsvHeader':
      return { op: op.op, sql: `-- check that the header of ${op.file.workspacePath} is: ${op.expected.join(', ')}`, params: [] };
    case 'failOnCsvRejects':
      return { op: op.op, sql: `-- fail on the first line of ${op.file.workspacePath} rejected into ${quoteIdent(op.rejectsTable)}`, params: [] };
    case 'javascript':
      return {
        op: op.op,
        sql: `-- run transform(rows) over ${quoteIdent(op.input)} in batches of ${op.batchRows} (sandbox: ${op.timeoutMs} ms, ${op.memoryMb} MB) into ${quoteIdent(op.table)} (${op.columns.map((c) => `${c.name} ${c.type}`).join(', ')})`,
        params: [],
      };
    case 'extract': {
      const what = op.selection.t === 'table' ? `${op.selection.schema ? `${op.selection.schema}.` : ''}${op.selection.table}` : `the query: ${op.selection.sql}`;
      const incremental = op.incrementalColumn ? `, only rows where ${op.incrementalColumn} is above the last run's highest value` : '';
      return {
        op: op.op,
        sql: `-- read ${op.columns.map((c) => `${c.name} ${c.type}`).join(', ')} from ${what} (${op.connectionType} connection ${op.connectionId})${incremental} into ${quoteIdent(op.table)}`,
        params: [],
      };
    }
    case 'loadPostgres':
    case 'loadMysql': {
      const q = renderSelect(op.query, shownPaths);
      const t = op.target;
      const keys = t.mode === 'delete-insert' ? ` by ${t.partitionColumns.join(', ')}` : t.keys.length > 0 ? ` on ${t.keys.join(', ')}` : '';
      return { op: op.op, sql: `-- ${t.mode} into ${t.schema ? `${quoteIdent(t.schema)}.` : ''}${quoteIdent(t.table)}${keys} (connection ${t.connectionId}), exactly once per run:\n${q.sql}`, params: q.params };
    }
    case 'fetchHttp': {
      const { source } = op;
      const paging = source.pagination.type === 'none' ? 'one page' : `pages by ${source.pagination.type} (at most ${source.maxPages})`;
      return {
        op: op.op,
        sql: `-- fetch ${source.method} ${source.url}, ${paging}, records at ${source.recordsPath}, into ${quoteIdent(op.table)} (${source.columns.map((c) => `${c.name} ${c.type} <- ${c.field}`).join(', ')})`,
        params: [],
      };
    }
  }
}

export function explainPlan(plan: ExecutionPlan): ExplainedStage[] {
  return plan.stages.map((s) => ({ id: s.id, kind: s.kind, dependsOn: s.dependsOn, steps: s.ops.map(explainOp) }));
}
