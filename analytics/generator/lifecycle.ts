import type { CallbackRules } from '../../functions/domain/callback.ts';
import type { SupervisionRules } from '../../functions/domain/supervision.ts';
import type { LimitSpec } from '../../functions/domain/time-limits.ts';
import type { WorkingCalendar } from '../../functions/domain/working-calendar.ts';
import {
  CALLBACK,
  clearHandling,
  EXCLUSION,
  FLAG,
  type MonthBatch,
  OUTCOME,
  REPLY,
  SATISFIED,
  SOLVED,
  STATUS,
} from './batch.ts';
import type { City } from './city.ts';
import type { GeneratorConfig, YearRates } from './config.ts';
import { normalCdf, normalQuantile, type Rng } from './prng.ts';

/**
 * One order's life after intake, as the live loop would have lived it — dispatch, signing, contact,
 * reply, review and closing, the call-back and its answer, reopening after an unhappy answer, the
 * supervision ladder, exclusion — then cut at the snapshot instant (the end of the range): what
 * happened later is not yet known, so recent orders are still open. The row is the order's latest
 * version at the snapshot, its fields as the live analytics path fills them.
 *
 * Time arithmetic is numeric here (CST is UTC+8 with no DST); the test checks it against the
 * domain's own functions.
 */
const HOUR = 3_600_000;
const DAY = 86_400_000;
const CST = 8 * HOUR;

export const cstDayNumber = (ms: number): number => Math.floor((ms + CST) / DAY);
export const endOfCstDay = (ms: number): number => (cstDayNumber(ms) + 1) * DAY - CST - 1;

/** callback.ts's `withinCallingHours`, numerically. */
export const intoCallingHours = (ms: number, from: number, to: number): number => {
  const hour = Math.floor(((((ms + CST) % DAY) + DAY) % DAY) / HOUR);
  if (hour >= from && hour < to) return ms;
  const start = cstDayNumber(ms) * DAY - CST + from * HOUR;
  return hour < from ? start : start + DAY;
};

/** The month's quality of every unit: probabilities and probit thresholds. */
export interface UnitRates {
  readonly pContact: Float64Array;
  readonly pExpired: Float64Array;
  readonly pOverdue: Float64Array;
  readonly zSolved: Float64Array;
  readonly zSatisfied: Float64Array;
  readonly pAnswerPerAttempt: number;
}

/** Interpolates the yearly targets for a month (anchored mid-year), flat beyond the first and last. */
export const ratesForMonth = (config: GeneratorConfig, month: string): YearRates => {
  const anchors = Object.entries(config.outcomes.byYear)
    .map(([y, r]) => [Number(y) + 0.5, r] as const)
    .sort((a, b) => a[0] - b[0]);
  const x = Number(month.slice(0, 4)) + (Number(month.slice(5, 7)) - 0.5) / 12;
  const first = anchors[0] as readonly [number, YearRates];
  const last = anchors[anchors.length - 1] as readonly [number, YearRates];
  if (x <= first[0]) return first[1];
  if (x >= last[0]) return last[1];
  let i = 0;
  while ((anchors[i + 1] as readonly [number, YearRates])[0] < x) i++;
  const [x0, r0] = anchors[i] as readonly [number, YearRates];
  const [x1, r1] = anchors[i + 1] as readonly [number, YearRates];
  const t = (x - x0) / (x1 - x0);
  const mix = (k: keyof YearRates) => r0[k] + (r1[k] - r0[k]) * t;
  return {
    solved: mix('solved'),
    satisfied: mix('satisfied'),
    contactedInTime: mix('contactedInTime'),
    overdue: mix('overdue'),
    expired: mix('expired'),
    unreachable: mix('unreachable'),
  };
};

/**
 * The yearly rates are assessment rates with partial credit (solved + p × partly); the chance of a
 * plain "solved" that gives them, given how the rest splits between partly and not.
 */
const fullShare = (rate: number, partialShare: number, factor: number): number =>
  Math.min(0.999, Math.max(0.001, (rate - factor * partialShare) / (1 - factor * partialShare)));

export const unitRatesFor = (
  config: GeneratorConfig,
  city: City,
  rates: YearRates,
  factors: { partly: number; basically: number },
  attempts: number,
): UnitRates => {
  const n = city.unitIds.length;
  const o = config.outcomes;
  const zContact = normalQuantile(rates.contactedInTime);
  const zExpired = normalQuantile(rates.expired);
  const zOverdue = normalQuantile(rates.overdue);
  const zSolved = normalQuantile(fullShare(rates.solved, o.partlyShareOfUnsolved, factors.partly));
  const zSatisfied = normalQuantile(
    fullShare(rates.satisfied, o.basicallyShareOfUnsatisfied, factors.basically),
  );
  const out = {
    pContact: new Float64Array(n),
    pExpired: new Float64Array(n),
    pOverdue: new Float64Array(n),
    zSolved: new Float64Array(n),
    zSatisfied: new Float64Array(n),
    pAnswerPerAttempt: 1 - rates.unreachable ** (1 / attempts),
  };
  for (let u = 0; u < n; u++) {
    const q = city.unitQuality[u] as number;
    out.pContact[u] = normalCdf(zContact + q);
    out.pExpired[u] = normalCdf(zExpired - q);
    out.pOverdue[u] = normalCdf(zOverdue - q);
    out.zSolved[u] = zSolved + q;
    out.zSatisfied[u] = zSatisfied + q;
  }
  return out;
};

export interface LifecycleRules {
  readonly config: GeneratorConfig;
  readonly city: City;
  readonly calendar: WorkingCalendar;
  readonly callback: CallbackRules;
  readonly supervision: SupervisionRules;
  readonly reopenedResolve: LimitSpec;
  /** The snapshot instant: the end of the range. */
  readonly snapshotMs: number;
}

/** What intake decided about the order, for the rest of its life. */
export interface Intake {
  readonly i: number;
  readonly leaf: number;
  readonly urgency: number;
  readonly unit: number;
  readonly viaDispatcher: boolean;
  readonly mayCallBack: boolean;
  readonly followUp: boolean;
}

const MAX_ROUNDS = 4;

export class Lifecycle {
  private readonly workingDayCache = new Map<number, number>();
  // per round scratch
  private readonly start = new Float64Array(MAX_ROUNDS);
  private readonly resolveBy = new Float64Array(MAX_ROUNDS);
  private readonly replied = new Float64Array(MAX_ROUNDS);
  private readonly replyResult = new Uint8Array(MAX_ROUNDS);
  private readonly closed = new Float64Array(MAX_ROUNDS);
  private readonly expired = new Uint8Array(MAX_ROUNDS);
  private readonly cbDue = new Float64Array(MAX_ROUNDS);
  private readonly cbFirst = new Float64Array(MAX_ROUNDS);
  private readonly cbEnd = new Float64Array(MAX_ROUNDS);
  private readonly cbAttempts = new Uint8Array(MAX_ROUNDS);
  private readonly cbAnswered = new Uint8Array(MAX_ROUNDS);
  private readonly cbSolved = new Uint8Array(MAX_ROUNDS);
  private readonly cbSatisfied = new Uint8Array(MAX_ROUNDS);
  /** Attempt k of round r at [r × 10 + k]. */
  private readonly attemptTimes = new Float64Array(MAX_ROUNDS * 10);

  /** The row's version and last change so far, while it is cut at the snapshot. */
  private version = 1;
  private updated = 0;

  /** Whether a step at `t` happened before the snapshot; if so it counts as a change of the order. */
  private seen(t: number): boolean {
    if (t > this.rules.snapshotMs) return false;
    this.version++;
    if (t > this.updated) this.updated = t;
    return true;
  }

  constructor(
    private readonly rules: LifecycleRules,
    private rates: UnitRates,
  ) {}

  setRates(rates: UnitRates): void {
    this.rates = rates;
  }

  /** time-limits.ts's `applyLimit`, with working days cached per CST day. */
  limit(fromMs: number, spec: LimitSpec): number {
    if ('hours' in spec) return fromMs + spec.hours * HOUR;
    if ('calendarDays' in spec) return fromMs + spec.calendarDays * DAY;
    const key = cstDayNumber(fromMs) * 64 + spec.workingDays;
    let end = this.workingDayCache.get(key);
    if (end === undefined) {
      end = this.rules.calendar.endOfNthWorkingDayAfter(fromMs, spec.workingDays);
      this.workingDayCache.set(key, end);
    }
    return end;
  }

  /** A call-back from `due`: its attempts and whether (and when) it was answered. Returns the end. */
  private callBack(round: number, due: number, rng: Rng): void {
    const { callback } = this.rules;
    const hours = callback.callingHours;
    let t = intoCallingHours(this.limit(due, callback.firstAttemptAfter), hours.from, hours.to);
    this.cbDue[round] = due;
    this.cbFirst[round] = t;
    this.cbAnswered[round] = 0;
    for (let k = 0; k < callback.attempts; k++) {
      if (k > 0) t = intoCallingHours(this.limit(t, callback.retryAfter), hours.from, hours.to);
      this.attemptTimes[round * 10 + k] = t;
      if (rng.chance(this.rates.pAnswerPerAttempt)) {
        this.cbAttempts[round] = k + 1;
        this.cbAnswered[round] = 1;
        this.cbEnd[round] = t + rng.between(1, 15) * 60_000;
        return;
      }
    }
    this.cbAttempts[round] = callback.attempts;
    this.cbEnd[round] = this.limit(t, callback.retryAfter); // the last attempt's final check
  }

  /** The answers of a round's call-back, from a latent draw shared by "solved" and "satisfied". */
  private answer(round: number, unit: number, leaf: number, shift: number, rng: Rng): void {
    const o = this.rules.config.outcomes;
    const difficulty = this.rules.city.leafDifficulty[leaf] as number;
    const z1 = rng.normal();
    const z2 = o.answerCorrelation * z1 + Math.sqrt(1 - o.answerCorrelation ** 2) * rng.normal();
    this.cbSolved[round] =
      z1 < (this.rates.zSolved[unit] as number) + difficulty + shift
        ? SOLVED.solved
        : rng.chance(o.partlyShareOfUnsolved)
          ? SOLVED.partly
          : SOLVED.not;
    this.cbSatisfied[round] =
      z2 < (this.rates.zSatisfied[unit] as number) + difficulty + shift
        ? SATISFIED.satisfied
        : rng.chance(o.basicallyShareOfUnsatisfied)
          ? SATISFIED.basically
          : SATISFIED.not;
  }

  /** The unit's reply, as it reads the outcome (units overstate a little). */
  private replyFor(solved: number, rng: Rng): number {
    if (solved === SOLVED.solved) return rng.chance(0.95) ? REPLY.resolved : REPLY.explained;
    if (solved === SOLVED.partly) return rng.chance(0.7) ? REPLY.partly_resolved : REPLY.resolved;
    return rng.chance(0.4) ? REPLY.unresolved : rng.chance(0.6) ? REPLY.explained : REPLY.resolved;
  }

  /** Lives a dispatched order and writes its row at the snapshot. */
  run(b: MonthBatch, x: Intake, rng: Rng): void {
    const { config, city, supervision, snapshotMs: T } = this.rules;
    const { timing, outcomes } = config;
    const { i, unit, leaf } = x;
    const received = b.received[i] as number;
    const limits = (city.leafLimits[leaf] as readonly { contact: LimitSpec; resolve: LimitSpec }[])[
      x.urgency - 1
    ] as {
      contact: LimitSpec;
      resolve: LimitSpec;
    };
    // ── dispatch (当天转办) and signing ──
    let delay = rng.logNormal(timing.dispatchMinutes.median, timing.dispatchMinutes.sigma) * 60_000;
    if (x.viaDispatcher)
      delay +=
        rng.logNormal(timing.dispatcherExtraMinutes.median, timing.dispatcherExtraMinutes.sigma) * 60_000;
    const dispatched = received + delay;
    const dispatchOverdue = dispatched > endOfCstDay(received);
    const contactBy = this.limit(dispatched, limits.contact);
    const resolveBy1 = this.limit(dispatched, limits.resolve);
    let accepted = dispatched + rng.logNormal(timing.acceptHours.median, timing.acceptHours.sigma) * HOUR;
    // ── first contact ──
    const unitInTime = rng.chance(this.rates.pContact[unit] as number);
    const contactWindow = Math.max(contactBy - dispatched, 60_000);
    const contacted = unitInTime
      ? dispatched + rng.between(0.05, 0.95) * contactWindow
      : contactBy + rng.between(0.1, 2) * contactWindow;
    if (accepted > contacted) accepted = dispatched + (contacted - dispatched) * rng.between(0.2, 0.8);
    // ── rounds: the first, and one per reopening ──
    let rounds = 0;
    let start = dispatched;
    let resolveBy = resolveBy1;
    let requesterWord = 0; // the first call-back's "contacted in time?" (0 none, 1 no, 2 yes)
    for (;;) {
      const r = rounds++;
      this.start[r] = start;
      this.resolveBy[r] = resolveBy;
      const expired = r === 0 && rng.chance(this.rates.pExpired[unit] as number);
      this.expired[r] = expired ? 1 : 0;
      const shift = r === 0 ? (expired ? -outcomes.expiredSolvedPenalty : 0) : outcomes.reopenedImprovement;
      this.answer(r, unit, leaf, shift, rng);
      const from = r === 0 ? contacted : start;
      if (expired) {
        // No reply: the call-back falls due when the limit runs out; the ladder climbs; the workflow
        // closes the order as expired after its idle waits.
        this.replied[r] = -1;
        this.replyResult[r] = 0;
        let end = this.limit(resolveBy, supervision.ladder.notify);
        for (let k = 0; k < supervision.maxIdleWaits; k++) end = this.limit(end, supervision.idleWait);
        this.closed[r] = end;
        if (x.mayCallBack) this.callBack(r, resolveBy, rng);
      } else {
        const late = rng.chance(this.rates.pOverdue[unit] as number);
        const window = Math.max(resolveBy - from, HOUR);
        const replied = late
          ? resolveBy + rng.between(0.02, 1.2) * Math.max(resolveBy - start, DAY)
          : from + rng.next() ** timing.replyShareOfLimit.exponent * window;
        this.replied[r] = replied;
        this.replyResult[r] = this.replyFor(this.cbSolved[r] as number, rng);
        this.closed[r] = replied + rng.logNormal(timing.reviewHours.median, timing.reviewHours.sigma) * HOUR;
        if (x.mayCallBack) this.callBack(r, this.closed[r] as number, rng);
      }
      if (x.mayCallBack && this.cbAnswered[r] && r === 0) {
        const confirms = rng.chance(outcomes.requesterConfirmsTimelyContact);
        requesterWord = (unitInTime ? confirms : !confirms) ? 2 : 1;
      }
      const unhappy = this.cbSolved[r] === SOLVED.not || this.cbSatisfied[r] === SATISFIED.not;
      if (
        expired ||
        !x.mayCallBack ||
        !this.cbAnswered[r] ||
        !unhappy ||
        r >= this.rules.callback.maxReopenings ||
        r + 1 >= MAX_ROUNDS ||
        !rng.chance(outcomes.reopenShareOfUnhappy)
      )
        break;
      // 重办: reopened at the answer, with the short limit.
      start = this.cbEnd[r] as number;
      resolveBy = this.limit(start, this.rules.reopenedResolve);
    }
    // Exclusion is the centre's, once the order first closes (drawn now for a fixed number of draws).
    const ex = outcomes.exclusions;
    const u = rng.next();
    let exclusion = 0;
    if (x.followUp && u < config.requesters.followUps.duplicateExclusionShare)
      exclusion = EXCLUSION.duplicate;
    else if (x.mayCallBack && !this.cbAnswered[0] && u < ex.unreachableShare)
      exclusion = EXCLUSION.unreachable;
    else if (u < ex.unreasonable_demand) exclusion = EXCLUSION.unreasonable_demand;
    else if (u < ex.unreasonable_demand + ex.malicious) exclusion = EXCLUSION.malicious;

    // ── the order at the snapshot ──
    this.version = 1;
    this.updated = received;
    let status = x.viaDispatcher ? STATUS.awaiting_dispatch : STATUS.received;
    if (x.viaDispatcher) this.version++;
    let flags = 0;
    clearHandling(b, i);
    b.unit[i] = unit;
    if (this.seen(dispatched)) {
      status = STATUS.dispatched;
      b.dispatched[i] = dispatched;
      b.contactBy[i] = contactBy;
      b.resolveBy[i] = resolveBy1;
      if (dispatchOverdue) flags |= FLAG.dispatch_overdue;
      if (this.seen(accepted)) status = STATUS.accepted;
      if (this.seen(contacted)) b.contacted[i] = contacted;
      if (contacted > contactBy && T > contactBy) flags |= FLAG.contact_overdue;
      // the unit's record of timely contact, until the requester's word replaces it
      if (contacted <= T) b.contactedInTime[i] = unitInTime ? 2 : 1;
      else if (T > contactBy) b.contactedInTime[i] = 1;
    } else b.unit[i] = -1;
    let closedOnce = false;
    for (let r = 0; r < rounds && b.dispatched[i] !== -1; r++) {
      const start = this.start[r] as number;
      if (r > 0) {
        if (!this.seen(start)) break; // not reopened yet
        status = STATUS.accepted;
        b.round[i] = r + 1;
        b.resolveBy[i] = this.resolveBy[r] as number;
        b.replied[i] = -1;
        b.replyResult[i] = 0;
        b.closed[i] = -1;
        b.outcome[i] = 0;
        flags &=
          FLAG.dispatch_overdue | FLAG.contact_overdue | FLAG.unreachable | FLAG.assessed | FLAG.excluded;
      }
      const rb = this.resolveBy[r] as number;
      const replied = this.replied[r] as number;
      const doneBy = this.expired[r] ? (this.closed[r] as number) : replied;
      // missed deadline and the ladder, each step when its time has come before the reply
      const until = Math.min(doneBy, T);
      if (until > rb) {
        flags |= FLAG.overdue;
        this.version++;
        const ladder = supervision.ladder;
        for (const [spec, bit] of [
          [ladder.urge, FLAG.urged],
          [ladder.supervise, FLAG.supervised],
          [ladder.notify, FLAG.notified],
        ] as const) {
          if (until <= this.limit(rb, spec)) break;
          flags |= bit;
          this.version++;
        }
      }
      if (!this.expired[r] && this.seen(replied)) {
        status = STATUS.replied;
        b.replied[i] = replied;
        b.replyResult[i] = this.replyResult[r] as number;
      }
      const closeFirst = !this.expired[r];
      const closed = this.closed[r] as number;
      if (closeFirst && this.seen(closed)) {
        status = STATUS.closed;
        b.closed[i] = closed;
        b.lastClosed[i] = closed;
        b.outcome[i] = OUTCOME.handled;
        closedOnce = true;
      }
      // the round's call-back (after closing; for an expired round, when the limit ran out)
      if (x.mayCallBack && this.seen(this.cbDue[r] as number)) {
        b.callbackState[i] = CALLBACK.scheduled;
        b.answerSolved[i] = 0;
        b.answerSatisfied[i] = 0;
        b.answered[i] = -1;
        const first = this.cbFirst[r] as number;
        if (this.seen(first)) {
          b.callbackState[i] = CALLBACK.open;
          // further attempts
          for (let k = 1; k < (this.cbAttempts[r] as number); k++)
            if (!this.seen(this.attemptTimes[r * 10 + k] as number)) break;
          const end = this.cbEnd[r] as number;
          if (this.seen(end)) {
            if (this.cbAnswered[r]) {
              b.callbackState[i] = CALLBACK.answered;
              b.answerSolved[i] = this.cbSolved[r] as number;
              b.answerSatisfied[i] = this.cbSatisfied[r] as number;
              b.answered[i] = end;
              flags &= ~FLAG.unreachable;
              if (r === 0 && requesterWord !== 0) b.contactedInTime[i] = requesterWord;
            } else {
              b.callbackState[i] = CALLBACK.unreachable;
              flags |= FLAG.unreachable;
            }
          }
        }
      }
      if (this.expired[r] && this.seen(closed)) {
        status = STATUS.closed;
        b.closed[i] = closed;
        b.lastClosed[i] = closed;
        b.outcome[i] = OUTCOME.expired;
        closedOnce = true;
      }
    }
    if (closedOnce && unit >= 0) {
      flags |= FLAG.assessed;
      if (exclusion !== 0) {
        flags |= FLAG.excluded;
        b.exclusion[i] = exclusion;
        this.version++;
      }
    }
    b.status[i] = status;
    b.flags[i] = flags;
    b.updated[i] = this.updated;
    b.version[i] = Math.min(255, this.version);
  }
}
