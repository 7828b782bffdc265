import { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** An entity's columns in a raw query, and the reader that turns a result row back into the entity. */
export interface RawEntity<T> {
  /** `alias.column AS "alias.property", ...`: the select (or RETURNING) list. */
  readonly columns: string;
  read(row: Record<string, unknown>): T;
  /** Inserts the entity through `manager`: every column from the entity (none left to database defaults). */
  insert(manager: EntityManager, entity: T): Promise<void>;
}

/**
 * For the few hot paths where TypeORM's query building costs more than the query itself: the
 * column list comes from the entity's metadata, so it follows the entity as columns are added.
 * Only for entities without value transformers (pg already returns dates and jsonb decoded).
 */
export function rawEntity<T extends ObjectLiteral>(dataSource: DataSource, target: EntityTarget<T>, alias: string): RawEntity<T> {
  const metadata = dataSource.getMetadata(target);
  const columns = metadata.columns.map((column) => ({
    name: column.databaseName,
    property: column.propertyName,
    json: column.type === 'jsonb' || column.type === 'json',
  }));
  const insert = `INSERT INTO ${metadata.tableName} (${columns.map(({ name }) => name).join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})`;
  return {
    columns: columns.map(({ name, property }) => `${alias}.${name} AS "${alias}.${property}"`).join(', '),
    read: (row) => {
      const entity = metadata.create() as T;
      for (const { property } of columns) (entity as Record<string, unknown>)[property] = row[`${alias}.${property}`];
      return entity;
    },
    insert: async (manager, entity) => {
      await manager.query(
        insert,
        columns.map(({ property, json }) => {
          const value: unknown = entity[property];
          if (value === undefined) throw new Error(`${metadata.tableName}.${property} has no value to insert`);
          // JSON columns get JSON text (pg would send a JS array as a PostgreSQL array, a string as text).
          return json && value !== null ? JSON.stringify(value) : value;
        }),
      );
    },
  };
}
