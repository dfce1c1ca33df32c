import { databaseSource } from './database-source';

export const postgresSource = databaseSource('postgres');
