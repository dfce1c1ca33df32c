import { databaseSource } from './database-source';

export const mysqlSource = databaseSource('mysql');
