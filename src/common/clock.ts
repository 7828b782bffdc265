import { Injectable } from '@nestjs/common';

/** The time as the service sees it; tests replace it to move through lifetimes without waiting. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }

  nowMs(): number {
    return this.now().getTime();
  }
}
