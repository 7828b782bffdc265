import { MigrationInterface } from 'typeorm';
import { Notifications1763800000000 } from './1763800000000-Notifications';
import { AuditEvents1795370000000 } from './1795370000000-AuditEvents';
import { Accounts1795370100000 } from './1795370100000-Accounts';
import { Agents1795370200000 } from './1795370200000-Agents';
import { AgentSessions1795370300000 } from './1795370300000-AgentSessions';
import { CodeChallenges1795380000000 } from './1795380000000-CodeChallenges';
import { FormerContacts1795380100000 } from './1795380100000-FormerContacts';
import { Appeals1795380200000 } from './1795380200000-Appeals';
import { AppealBreachIndexes1795390000000 } from './1795390000000-AppealBreachIndexes';
import { TotpFactors1795391000000 } from './1795391000000-TotpFactors';
import { SecurityReverts1795391100000 } from './1795391100000-SecurityReverts';
import { AppealSafeguards1795392000000 } from './1795392000000-AppealSafeguards';
import { AuditTransparencyLog1795395150000 } from './1795395150000-AuditTransparencyLog';
import { OwnersShield1795400000000 } from './1795400000000-OwnersShield';
import { Passkeys1795410000000 } from './1795410000000-Passkeys';
import { EvidenceSignals1795420000000 } from './1795420000000-EvidenceSignals';
import { AccountTimeZone1795440000000 } from './1795440000000-AccountTimeZone';
import { CannedReplies1795430000000 } from './1795430000000-CannedReplies';
import { AgentWorkload1795430100000 } from './1795430100000-AgentWorkload';
import { QueueDeadlineAndNames1795450000000 } from './1795450000000-QueueDeadlineAndNames';
import { BackofficeTeamAndAuditFilters1795460000000 } from './1795460000000-BackofficeTeamAndAuditFilters';

/** Every migration, in timestamp order, one per line. `npm run migration:generate` writes new ones into this folder; list them here. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  Notifications1763800000000,
  AuditEvents1795370000000,
  Accounts1795370100000,
  Agents1795370200000,
  AgentSessions1795370300000,
  CodeChallenges1795380000000,
  FormerContacts1795380100000,
  Appeals1795380200000,
  AppealBreachIndexes1795390000000,
  TotpFactors1795391000000,
  SecurityReverts1795391100000,
  AppealSafeguards1795392000000,
  AuditTransparencyLog1795395150000,
  OwnersShield1795400000000,
  Passkeys1795410000000,
  EvidenceSignals1795420000000,
  AccountTimeZone1795440000000,
  CannedReplies1795430000000,
  AgentWorkload1795430100000,
  QueueDeadlineAndNames1795450000000,
  BackofficeTeamAndAuditFilters1795460000000,
];
