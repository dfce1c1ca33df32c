import { databaseSource } from './database-source';

export const sqliteSource = databaseSource('sqlite');
