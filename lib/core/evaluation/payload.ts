/**
 * Request and response formats of the two inference containers JumpStart serves FLAN-T5 with
 * (shared/notes/jumpstart.md §4). The contract is chosen from the resolved spec
 * (`ResolvedModel.inference.payloadContract`), never from a version string.
 *
 * - `hf-text2text` (JumpStart 1.x, HF inference toolkit): beam search as published
 *   (`num_beams`), `max_length` bounds the generated sequence.
 * - `tgi` (JumpStart 2.x, Text Generation Inference): TGI has no beam search, so generation is
 *   greedy (`do_sample: false`) and `num_beams` is not sent; scores are therefore not strictly
 *   comparable with the published beam-10 figures.
 *
 * Parse failures return an error string that names what was wrong with the response's shape and
 * never contains any of its text (a container may echo the prompt, which is patient data).
 */
import type { PayloadContract } from '../run/contracts';

/** The payload contracts, for validation of inputs and CLI flags. */
export const PAYLOAD_CONTRACTS: readonly PayloadContract[] = ['hf-text2text', 'tgi'];

/** Is `value` a known payload contract? */
export function isPayloadContract(value: unknown): value is PayloadContract {
  return typeof value === 'string' && (PAYLOAD_CONTRACTS as readonly string[]).includes(value);
}

/** Generation settings from the configuration (`maxNewTokens`, `numBeams`). */
export interface GenerationSettings {
  /** Longest generated impression in tokens. */
  readonly maxNewTokens: number;
  /** Beam width; used by `hf-text2text` only. */
  readonly numBeams: number;
}

/** An InvokeEndpoint request body and its content type. */
export interface EndpointRequest {
  readonly contentType: 'application/json';
  readonly accept: 'application/json';
  readonly body: string;
}

/** Builds the request body for one prompt in the container's format. */
export function buildRequest(contract: PayloadContract, prompt: string, generation: GenerationSettings): EndpointRequest {
  let payload: unknown;
  switch (contract) {
    case 'hf-text2text':
      payload = {
        text_inputs: prompt,
        max_length: generation.maxNewTokens,
        num_beams: generation.numBeams,
        num_return_sequences: 1,
      };
      break;
    case 'tgi':
      // No beam search in TGI: greedy decoding, deterministic.
      payload = { inputs: prompt, parameters: { max_new_tokens: generation.maxNewTokens, do_sample: false } };
      break;
    default:
      throw new Error(`unknown payload contract ${JSON.stringify(contract as string)}`);
  }
  return { contentType: 'application/json', accept: 'application/json', body: JSON.stringify(payload) };
}

/** The generated text, or why the response could not be read (no response text in it). */
export type ParsedResponse = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string };

const SAFE_ERROR_TYPE = /^[A-Za-z_]{1,40}$/;

/** Reads the generated text out of a response body in the container's format. */
export function parseResponse(contract: PayloadContract, body: string): ParsedResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return fail(contract, `response is not JSON (${body.length} bytes)`);
  }
  if (contract === 'hf-text2text') {
    if (!isObject(parsed)) return fail(contract, `response is ${describe(parsed)}, expected an object with generated_texts`);
    const texts = parsed.generated_texts;
    if (!Array.isArray(texts)) return fail(contract, `response has no generated_texts array${errorHint(parsed)}`);
    if (texts.length === 0) return fail(contract, 'generated_texts is empty');
    if (typeof texts[0] !== 'string') return fail(contract, `generated_texts[0] is ${describe(texts[0])}, expected a string`);
    return { ok: true, text: texts[0] };
  }
  if (contract === 'tgi') {
    if (!Array.isArray(parsed)) return fail(contract, `response is ${describe(parsed)}, expected an array of {generated_text}${errorHint(parsed)}`);
    if (parsed.length === 0) return fail(contract, 'response array is empty');
    const first: unknown = parsed[0];
    if (!isObject(first) || typeof first.generated_text !== 'string') {
      return fail(contract, `response[0].generated_text is ${isObject(first) ? describe(first.generated_text) : describe(first)}, expected a string`);
    }
    return { ok: true, text: first.generated_text };
  }
  return fail(contract, 'unknown payload contract');
}

function fail(contract: PayloadContract, what: string): ParsedResponse {
  return { ok: false, error: `malformed ${contract} response: ${what}` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON type of a value, never the value itself. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'missing';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** TGI and the HF toolkit answer errors as `{error, error_type}`; keep the type only (the message may quote the input). */
function errorHint(parsed: unknown): string {
  if (!isObject(parsed) || !('error' in parsed)) return '';
  const type = parsed.error_type;
  return typeof type === 'string' && SAFE_ERROR_TYPE.test(type) ? ` (error object, error_type ${type})` : ' (error object)';
}
