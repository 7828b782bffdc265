import { AuditEvent } from '../modules/audit/entities/audit-event.entity';

/**
 * Every entity, for the Nest app and the standalone data source alike. Modules add theirs here
 * and register them with `TypeOrmModule.forFeature` for injection.
 */
export const ENTITIES: (new () => object)[] = [AuditEvent];
