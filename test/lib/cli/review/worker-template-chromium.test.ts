/**
 * The worker task templates rendered with liquidjs (as A2I renders them: Liquid, outputs
 * HTML-escaped) against recorded human loop inputs, then driven in headless Chromium (Debian's
 * `chromium`, through playwright-core) with a stand-in for AWS's Crowd HTML Elements script
 * (test/helpers/crowd-elements-stand-in.ts). Skipped, with a message, when no chromium is installed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { readWorkerTemplate, renderWorkerTemplate } from '../../../../lib/cli/review/worker-template';
import { readOutputDocument } from '../../../../lib/core/review/answers';
import type { EvaluationTaskInput, FeedbackTaskInput, TaskInput } from '../../../../lib/core/review/items';
import { CROWD_ELEMENTS_URL, crowdElementsStandIn, SUBMIT_URL } from '../../../helpers/crowd-elements-stand-in';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));
if (CHROMIUM === undefined) process.stderr.write('worker-template-chromium.test.ts: SKIPPED, no chromium binary (apt-get install -y chromium)\n');
const maybe = CHROMIUM === undefined ? describe.skip : describe;

const INPUTS = path.join(__dirname, '..', '..', '..', 'fixtures', 'review', 'task-inputs');
const EVALUATION_LOOP = 'ev-20260102-090000-00aa-0002-r1';
const FEEDBACK_LOOP = 'fb-20260102-090000-00bb-0000-fb';
const recorded = <T extends TaskInput>(loop: string): T => JSON.parse(fs.readFileSync(path.join(INPUTS, `${loop}.json`), 'utf8')) as T;

interface Session {
  readonly page: Page;
  readonly requests: Request[];
  readonly submissions: Record<string, string>[];
  readonly console: string[];
}

let browser: Browser;

async function open(input: TaskInput, validation: 'native-first' | 'none' = 'native-first'): Promise<Session> {
  const html = await renderWorkerTemplate(readWorkerTemplate(input.kind), input);
  const page = await browser.newPage();
  const requests: Request[] = [];
  const submissions: Record<string, string>[] = [];
  const consoleLines: string[] = [];
  page.on('request', (r) => requests.push(r));
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  // Every request is answered here: nothing leaves the machine.
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url === CROWD_ELEMENTS_URL) return route.fulfill({ contentType: 'application/javascript', body: crowdElementsStandIn(validation) });
    if (url === SUBMIT_URL) {
      submissions.push(JSON.parse(route.request().postData() ?? '{}') as Record<string, string>);
      return route.fulfill({ status: 204, body: '' });
    }
    if (url === 'https://worker-portal.stand-in/task') return route.fulfill({ contentType: 'text/html; charset=utf-8', body: html });
    return route.fulfill({ status: 404, body: '' });
  });
  // A2I serves the rendered template inside its worker portal page over HTTPS.
  await page.goto('https://worker-portal.stand-in/task');
  await page.waitForFunction("customElements.get('crowd-form') !== undefined");
  return { page, requests, submissions, console: consoleLines };
}

/** Clicks the form's submit button and waits until the answer arrived or the form refused (the stand-in counts refusals). */
async function submit(s: Session): Promise<void> {
  const submitted = s.submissions.length;
  const refusals = async () => Number(await s.page.evaluate('window.__crowdBlocked || 0'));
  const refused = await refusals();
  await s.page.click('[data-crowd-submit]');
  for (let i = 0; i < 100; i += 1) {
    if (s.submissions.length > submitted || (await refusals()) > refused) return;
    await s.page.waitForTimeout(20);
  }
  throw new Error('the form neither submitted nor refused');
}

async function answerEvaluation(page: Page, skip: readonly string[] = []): Promise<void> {
  const choices: Record<string, string> = {
    correct_a: '4',
    complete_a: '3',
    concise_a: '5',
    harm_a: 'no',
    correct_b: '2',
    complete_b: '2',
    concise_b: '4',
    harm_b: 'no',
    preference: 'A',
  };
  for (const [name, value] of Object.entries(choices)) {
    if (!skip.includes(name)) await page.check(`input[name="${name}"][value="${value}"]`);
  }
}

beforeAll(async () => {
  if (CHROMIUM !== undefined) browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
});
afterAll(async () => {
  await browser?.close();
});

maybe('evaluation worker template in headless Chromium', () => {
  it('shows the findings and both impressions, A and B in the order of the input, and no source', async () => {
    const input = recorded<EvaluationTaskInput>(EVALUATION_LOOP);
    const s = await open(input);
    expect(await s.page.textContent('#findings')).toBe(input.findings);
    expect(await s.page.textContent('#background')).toBe(input.background);
    expect(await s.page.textContent('#impression-a-text')).toBe(input.impressionA);
    expect(await s.page.textContent('#impression-b-text')).toBe(input.impressionB);
    expect(await s.page.isVisible('#impression-a-text')).toBe(true);
    expect(await s.page.isVisible('#impression-b-text')).toBe(true);
    // The order follows the input: swap them and the page swaps.
    const swapped = await open({ ...input, impressionA: input.impressionB, impressionB: input.impressionA });
    expect(await swapped.page.textContent('#impression-a-text')).toBe(input.impressionB);
    expect(await swapped.page.textContent('#impression-b-text')).toBe(input.impressionA);
    // Text outside ASCII arrives as it was (the worker portal serves UTF-8).
    const accented = await open({ ...input, findings: 'History of Sjögren syndrome – café-au-lait spots; 5 mm nodule.' });
    expect(await accented.page.textContent('#findings')).toBe('History of Sjögren syndrome – café-au-lait spots; 5 mm nodule.');
    const page = await s.page.content();
    expect(page.toLowerCase()).not.toMatch(/\b(pretrained|fine-tuned|reference|source:)\b/);
    expect(s.console).toEqual([]);
  });

  it.each(['native-first', 'none'] as const)('refuses to submit until every required answer is given (crowd-form validation: %s)', async (validation) => {
    const s = await open(recorded(EVALUATION_LOOP), validation);
    await submit(s);
    expect(s.submissions).toEqual([]);
    if (validation === 'none') {
      expect(await s.page.textContent('#missing')).toBe(
        'Please answer: correct_a, complete_a, concise_a, harm_a, correct_b, complete_b, concise_b, harm_b, preference',
      );
    }
    await answerEvaluation(s.page, ['concise_b']);
    await submit(s);
    expect(s.submissions).toEqual([]);
    if (validation === 'none') expect(await s.page.textContent('#missing')).toBe('Please answer: concise_b');
    await s.page.check('input[name="concise_b"][value="1"]');
    await submit(s);
    expect(s.submissions).toHaveLength(1);
    expect(await s.page.isHidden('#missing')).toBe(true);
  });

  it.each(['native-first', 'none'] as const)('asks for, and requires, a reason exactly when harm is yes (validation: %s)', async (validation) => {
    const s = await open(recorded(EVALUATION_LOOP), validation);
    await answerEvaluation(s.page);
    expect(await s.page.isHidden('#harm-reason-a')).toBe(true);
    await s.page.check('input[name="harm_a"][value="yes"]');
    expect(await s.page.isVisible('#harm-reason-a')).toBe(true);
    expect(await s.page.getAttribute('#harm_reason_a', 'required')).not.toBeNull();
    await submit(s);
    expect(s.submissions).toEqual([]);
    await s.page.fill('#harm_reason_a', 'Misses the pneumothorax.');
    await submit(s);
    expect(s.submissions).toHaveLength(1);
    expect(s.submissions[0].harm_a).toBe('yes');
    expect(s.submissions[0].harm_reason_a).toBe('Misses the pneumothorax.');
    // Back to "no": the reason is no longer required or shown.
    await s.page.check('input[name="harm_a"][value="no"]');
    expect(await s.page.isHidden('#harm-reason-a')).toBe(true);
    expect(await s.page.getAttribute('#harm_reason_a', 'required')).toBeNull();
  });

  it('submits every answer with the corrected impression kept, in a form the ingestion reads', async () => {
    const input = recorded<EvaluationTaskInput>(EVALUATION_LOOP);
    const s = await open(input);
    await answerEvaluation(s.page);
    await s.page.fill('#corrected_impression', 'Small left pleural effusion.\nNo pneumothorax.');
    await submit(s);
    expect(s.submissions).toEqual([
      {
        correct_a: '4',
        complete_a: '3',
        concise_a: '5',
        harm_a: 'no',
        correct_b: '2',
        complete_b: '2',
        concise_b: '4',
        harm_b: 'no',
        preference: 'A',
        corrected_impression: 'Small left pleural effusion.\nNo pneumothorax.',
      },
    ]);
    // The same answer inside an A2I output document (public format) reads back whole.
    const doc = {
      flowDefinitionArn: 'arn:aws:sagemaker:us-east-1:123456789012:flow-definition/impressions-review-reader-1',
      humanAnswers: [
        { answerContent: s.submissions[0], submissionTime: '2026-01-02T10:00:00.000Z', workerId: 'w1', workerMetadata: { identityData: { sub: 'sub-1' } } },
      ],
      humanLoopName: EVALUATION_LOOP,
      inputContent: input,
    };
    const read = readOutputDocument(JSON.stringify(doc), 'k', EVALUATION_LOOP, input);
    expect(read).toEqual({
      ok: true,
      answers: [
        {
          workerId: 'sub-1',
          submittedAt: '2026-01-02T10:00:00.000Z',
          answer: {
            kind: 'evaluation',
            ratings: {
              A: { correct: 4, complete: 3, concise: 5, harm: 0, harmReason: null },
              B: { correct: 2, complete: 2, concise: 4, harm: 0, harmReason: null },
            },
            preference: 'A',
            corrected: 'Small left pleural effusion.\nNo pneumothorax.',
          },
        },
      ],
    });
  });

  it('sends report text nowhere but the form submission', async () => {
    const input = recorded<EvaluationTaskInput>(EVALUATION_LOOP);
    const s = await open(input);
    await answerEvaluation(s.page);
    await s.page.fill('#corrected_impression', 'My corrected impression.');
    await submit(s);
    const urls = s.requests.map((r) => `${r.method()} ${r.url()}`);
    expect(urls).toEqual([`GET https://worker-portal.stand-in/task`, `GET ${CROWD_ELEMENTS_URL}`, `POST ${SUBMIT_URL}`]);
    const texts = [input.findings, input.background, input.impressionA, input.impressionB].map((t) => t.slice(0, 30));
    for (const r of s.requests.filter((x) => x.url() !== SUBMIT_URL && x.url() !== 'https://worker-portal.stand-in/task')) {
      for (const t of texts) {
        expect(decodeURIComponent(r.url())).not.toContain(t);
        expect(r.postData() ?? '').not.toContain(t);
      }
    }
    // Nothing kept in storage a later page could read.
    expect(await s.page.evaluate('[localStorage.length, sessionStorage.length, document.cookie]')).toEqual([0, 0, '']);
  });

  it('shows hostile report text as text: nothing in it runs or loads', async () => {
    const input = recorded<EvaluationTaskInput>(EVALUATION_LOOP);
    const hostile = '</div><script>document.title="pwned"</script><img src="https://evil.example/x.png" onerror="document.title=\'pwned\'">{{ 7 | times: 6 }}';
    const s = await open({ ...input, findings: hostile, impressionA: hostile });
    await s.page.waitForTimeout(200);
    expect(await s.page.title()).not.toBe('pwned');
    expect(await s.page.textContent('#findings')).toBe(hostile);
    expect(await s.page.textContent('#impression-a-text')).toBe(hostile);
    expect(s.requests.map((r) => r.url())).not.toContain('https://evil.example/x.png');
  });
});

maybe('feedback worker template in headless Chromium', () => {
  it('shows the findings and the draft in an editable field, and requires a consistent decision', async () => {
    const input = recorded<FeedbackTaskInput>(FEEDBACK_LOOP);
    const s = await open(input, 'none');
    expect(await s.page.textContent('#findings')).toBe(input.findings);
    expect(await s.page.inputValue('#corrected_impression')).toBe(input.draft);
    await submit(s);
    expect(s.submissions).toEqual([]);
    expect(await s.page.textContent('#missing')).toBe('Please choose a decision.');
    await s.page.check('input[name="decision"][value="corrected"]');
    await submit(s);
    expect(await s.page.textContent('#missing')).toBe('The impression is unchanged: choose "Accept the draft as it is", or edit it.');
    await s.page.fill('#corrected_impression', 'Mild cardiomegaly. No acute process.');
    await s.page.check('input[name="decision"][value="accepted"]');
    await submit(s);
    expect(await s.page.textContent('#missing')).toBe('You edited the impression: choose "Accept with my correction", or undo the edit.');
    expect(s.submissions).toEqual([]);
    await s.page.check('input[name="decision"][value="corrected"]');
    await submit(s);
    expect(s.submissions).toEqual([{ corrected_impression: 'Mild cardiomegaly. No acute process.', decision: 'corrected' }]);
    const doc = { humanAnswers: [{ answerContent: s.submissions[0], workerId: 'w2' }], humanLoopName: FEEDBACK_LOOP, inputContent: input };
    expect(readOutputDocument(JSON.stringify(doc), 'k', FEEDBACK_LOOP, input)).toEqual({
      ok: true,
      answers: [{ workerId: 'w2', submittedAt: null, answer: { kind: 'feedback', decision: 'corrected', corrected: 'Mild cardiomegaly. No acute process.' } }],
    });
    expect(s.console).toEqual([]);
  });

  it('submits an accepted draft unchanged', async () => {
    const input = recorded<FeedbackTaskInput>(FEEDBACK_LOOP);
    const s = await open(input);
    await s.page.check('input[name="decision"][value="accepted"]');
    await submit(s);
    expect(s.submissions).toEqual([{ corrected_impression: input.draft, decision: 'accepted' }]);
  });
});
