// Every node kind, declared once. Palette, settings forms, compiler, engine and
// docs all read from here; adding a kind means adding one module and one line.
import type { NodeCategory, NodeDefinition } from './define-node';
import { aggregate } from './nodes/aggregate';
import { castColumns } from './nodes/cast-columns';
import { csvSource } from './nodes/csv-source';
import { deduplicate } from './nodes/deduplicate';
import { deriveColumns } from './nodes/derive-columns';
import { dropColumns } from './nodes/drop-columns';
import { fileSink } from './nodes/file-sink';
import { filter } from './nodes/filter';
import { graphOutput } from './nodes/graph-output';
import { flattenJson } from './nodes/flatten-json';
import { cleanText } from './nodes/clean-text';
import { dateParts } from './nodes/date-parts';
import { fillNulls } from './nodes/fill-nulls';
import { javascript } from './nodes/javascript';
import { join } from './nodes/join';
import { limit } from './nodes/limit';
import { lookup } from './nodes/lookup';
import { mergeColumns } from './nodes/merge-columns';
import { parseDates } from './nodes/parse-dates';
import { mysqlSink } from './nodes/mysql-sink';
import { postgresSink } from './nodes/postgres-sink';
import { renameColumns } from './nodes/rename-columns';
import { pivot } from './nodes/pivot';
import { resample } from './nodes/resample';
import { restSource } from './nodes/rest-source';
import { sample } from './nodes/sample';
import { selectColumns } from './nodes/select-columns';
import { sort } from './nodes/sort';
import { splitColumn } from './nodes/split-column';
import { sql } from './nodes/sql';
import { union } from './nodes/union';
import { unnestArray } from './nodes/unnest-array';
import { unpivot } from './nodes/unpivot';
import { windowNode } from './nodes/window';
import { jsonSource } from './nodes/json-source';
import { parquetSource } from './nodes/parquet-source';
import { excelSource } from './nodes/excel-source';
import { postgresSource } from './nodes/postgres-source';
import { mysqlSource } from './nodes/mysql-source';
import { sqliteSource } from './nodes/sqlite-source';

// Stored with their Config erased: the compiler validates configs with each
// definition's own schema before calling its functions.
const definitions = [csvSource, jsonSource, parquetSource, excelSource, postgresSource, mysqlSource, sqliteSource, restSource, filter, selectColumns, renameColumns, dropColumns, castColumns, sort, limit, sample, deduplicate, deriveColumns, windowNode, cleanText, fillNulls, dateParts, sql, javascript, join, union, aggregate, splitColumn, mergeColumns, lookup, parseDates, pivot, unpivot, flattenJson, unnestArray, resample, graphOutput, fileSink, postgresSink, mysqlSink] as unknown as NodeDefinition[];

export const nodeRegistry: ReadonlyMap<string, NodeDefinition> = new Map(definitions.map((d) => [d.kind, d]));

export function getNodeDefinition(kind: string): NodeDefinition | undefined {
  return nodeRegistry.get(kind);
}

export const categoryOrder: { category: NodeCategory; label: string }[] = [
  { category: 'source', label: 'Sources' },
  { category: 'transform', label: 'Transforms' },
  { category: 'destination', label: 'Destinations' },
];

export function nodesInCategory(category: NodeCategory): NodeDefinition[] {
  return definitions.filter((d) => d.category === category);
}
