import type { Knex } from 'knex';
import { Browser, formsOf, loginWithEid, type Answer } from './client';
import { sleep } from './processes';
import { reappoint, type DemoLogin, type Scenario } from './setup';

const THINK_MS = 250;

/** Answers by kind, for the summary: `2xx`, `302`, `503`, `500`, `timeout`… */
export class Tally {
  readonly counts = new Map<string, number>();

  add(kind: string, count = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + count);
  }

  get total(): number {
    return [...this.counts.values()].reduce((sum, count) => sum + count, 0);
  }
}

/** A change the portal answered with success: verified in the database at the end. */
export interface RecordedChange {
  requestId: string;
  kind: 'grant' | 'revoke';
  personId: string;
  codeId: string;
  serviceId: string;
}

export interface Violation {
  what: string;
  detail: string;
}

export interface DriverState {
  stop: boolean;
  tally: Tally;
  changes: RecordedChange[];
  violations: Violation[];
  raceRounds: number;
  raceRefusals: number;
}

function kindOf(answer: Answer): string {
  return String(answer.status);
}

async function attempt(state: DriverState, work: () => Promise<Answer>): Promise<Answer | undefined> {
  try {
    const answer = await work();
    state.tally.add(kindOf(answer));
    return answer;
  } catch (error) {
    const name = error instanceof Error ? error.name : 'error';
    state.tally.add(name === 'TimeoutError' ? 'timeout' : 'connection-error');
    return undefined;
  }
}

/** Logs in, retrying while a fault is on (the database restarting, an instance gone). */
export async function loggedIn(baseUrl: string, who: DemoLogin, state: DriverState): Promise<Browser> {
  for (;;) {
    const browser = new Browser(baseUrl);
    try {
      await loginWithEid(browser, who.personalIdentityNumber);
      return browser;
    } catch (error) {
      state.tally.add('login-retry');
      if (state.stop) throw error;
      await sleep(500);
    }
  }
}

/**
 * One administrator's session: loads one of its users' page, posts one of the grant or revoke forms on it (each is a
 * real change: only this session changes these users), and records every change answered with success. Being sent
 * to the login page is a violation: sessions live in PostgreSQL and outlive an instance.
 */
export async function administratorSession(
  baseUrl: string,
  scenario: Scenario,
  index: number,
  state: DriverState,
): Promise<void> {
  const browser = await loggedIn(baseUrl, scenario.administrator, state);
  const targets = scenario.targets[index] ?? [];
  let turn = 0;
  while (!state.stop) {
    const personId = targets[turn % targets.length] ?? '';
    turn += 1;
    const page = await attempt(state, () => browser.get(`/anvandare/${personId}`));
    if (page?.status !== 200) {
      if (page && (page.status === 302 || page.status === 303) && page.location?.includes('/logga-in')) {
        state.violations.push({
          what: 'logged out',
          detail: `administrator session ${index} was sent to the login at ${new Date().toISOString()} (request ${page.requestId ?? '?'})`,
        });
        return;
      }
      await sleep(200);
      continue;
    }
    const forms = formsOf(page.text).filter(
      (form) => form.fields.codeId === scenario.codeId && /\/(ge-behorighet|ta-bort-behorighet)$/.test(form.action),
    );
    const form = forms[turn % Math.max(forms.length, 1)];
    if (!form) {
      state.violations.push({ what: 'page', detail: `no grant or revoke form on a user's page (${personId})` });
      return;
    }
    const kind = form.action.endsWith('/ge-behorighet') ? 'grant' : 'revoke';
    const answer = await attempt(state, () => browser.post(form.action, form.fields));
    if (!answer) continue;
    if ((answer.status === 302 || answer.status === 303) && answer.location?.endsWith(`/anvandare/${personId}`)) {
      if (!answer.requestId) throw new Error('no X-Request-Id on an answer');
      state.changes.push({
        requestId: answer.requestId,
        kind,
        personId,
        codeId: form.fields.codeId ?? '',
        serviceId: form.fields.serviceId ?? '',
      });
    } else if (answer.status === 500) {
      state.violations.push({ what: '500', detail: `${kind} answered 500 (request ${answer.requestId ?? '?'})` });
    }
    // a person reads the page before the next click; it also keeps the email backlog within what one relay sends
    await sleep(THINK_MS);
  }
}

async function csrfToken(browser: Browser, state: DriverState): Promise<string | undefined> {
  const page = await attempt(state, () => browser.get('/administratorer'));
  if (page?.status !== 200) return undefined;
  return formsOf(page.text).find((form) => form.fields._csrf)?.fields._csrf;
}

/** Current administrators of the code (the rule: never none, once it has had one). */
async function administratorsOf(db: Knex, codeId: string): Promise<number> {
  const [row] = await db('role_assignments')
    .where({ employer_code_id: codeId, role: 'administrator' })
    .whereNull('revoked_at')
    .where((query) => {
      void query.whereNull('valid_until').orWhere('valid_until', '>', db.fn.now());
    })
    .count<{ count: number }[]>({ count: '*' });
  return row?.count ?? 0;
}

/**
 * The last-administrator race: for each race code at once, the orderer removes one of its two administrators while
 * the delegate removes the other. At most one may succeed; the code keeps an administrator. Then both are
 * appointed again and the next round starts.
 */
export async function lastAdministratorRace(
  baseUrl: string,
  db: Knex,
  scenario: Scenario,
  state: DriverState,
): Promise<void> {
  const orderer = await loggedIn(baseUrl, scenario.orderer, state);
  const delegate = await loggedIn(baseUrl, scenario.delegate, state);
  while (!state.stop) {
    try {
      for (const race of scenario.raceCodes) await reappoint(db, scenario.employerId, race, scenario.orderer.personId);
    } catch {
      await sleep(500); // the database is restarting
      continue;
    }
    const [ordererToken, delegateToken] = await Promise.all([csrfToken(orderer, state), csrfToken(delegate, state)]);
    if (!ordererToken || !delegateToken) {
      await sleep(300);
      continue;
    }
    await Promise.all(
      scenario.raceCodes.map(async (race) => {
        const [first, second] = race.administrators;
        const answers = await Promise.all([
          attempt(state, () => orderer.post(`/administratorer/${first}/ta-bort`, { _csrf: ordererToken })),
          attempt(state, () => delegate.post(`/administratorer/${second}/ta-bort`, { _csrf: delegateToken })),
        ]);
        const removed = answers.filter((answer) => answer?.status === 302 || answer?.status === 303).length;
        state.raceRefusals += answers.filter((answer) => answer?.status === 422).length;
        if (removed > 1) {
          state.violations.push({
            what: 'last administrator',
            detail: `both administrators of ${race.codeId} removed`,
          });
        }
        try {
          if ((await administratorsOf(db, race.codeId)) === 0) {
            state.violations.push({ what: 'last administrator', detail: `code ${race.codeId} left without one` });
          }
        } catch {
          // the database is restarting: the final check in SQL covers this code
        }
      }),
    );
    state.raceRounds += 1;
  }
}
