import { DomainError } from '../../common/errors/domain-error';

export class AppealClosedError extends DomainError {
  constructor() {
    super('APPEAL_CLOSED', 'This appeal is closed: it takes no more messages, files or changes.');
  }
}

/** The agent acted on a version of the appeal that has changed since they saw it. */
export class StaleVersionError extends DomainError {
  constructor(currentVersion: number) {
    super('STALE_VERSION', 'Someone changed this appeal after you opened it. Reload it and try again.', { currentVersion });
  }
}

export class LeaseHeldError extends DomainError {
  constructor() {
    super('LEASE_HELD', 'Another agent is working on this appeal.');
  }
}

/** The appeal's status does not allow the action. */
export class TransitionNotAllowedError extends DomainError {
  constructor(detail: string) {
    super('TRANSITION_NOT_ALLOWED', detail);
  }
}

/** The agent's role does not allow the action (or they approved the appeal they try to confirm). */
export class TransitionForbiddenError extends DomainError {
  constructor(detail: string) {
    super('FORBIDDEN', detail);
  }
}

export class ContactMismatchError extends DomainError {
  constructor() {
    super('CONTACT_MISMATCH', 'The new logon email must be the contact email you verified.');
  }
}

export class AttachmentLimitError extends DomainError {
  constructor(limit: number) {
    super('ATTACHMENT_LIMIT', `An appeal takes at most ${limit} files.`);
  }
}

export class PayloadTooLargeError extends DomainError {
  constructor(maxBytes: number) {
    super('PAYLOAD_TOO_LARGE', `A file may be at most ${maxBytes / (1024 * 1024)} MB.`);
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  constructor() {
    super('UNSUPPORTED_MEDIA_TYPE', 'Only JPEG, PNG and PDF files are accepted (judged by their content, not their name).');
  }
}
