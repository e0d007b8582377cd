/**
 * The keys of the public JumpStart bucket each SageMaker execution role may read, for one model
 * id, as IAM patterns. The training role reads the base weights and the training scripts; the
 * hosting role reads the inference artefacts only. The layouts are JumpStart's as recorded in the
 * fixtures (test/fixtures/jumpstart): 1.x tarballs such as
 * `huggingface-training/train-<model>.tar.gz`, `huggingface-infer/prepack/v1.1.2/infer-prepack-<model>.tar.gz`
 * and `source-directory-tarballs/huggingface/transfer_learning/...`, and 2.x prefixes such as
 * `huggingface-text2text/<model>/artifacts/inference-prepack/v2.0.0/`.
 *
 * Resolution checks every key it hands to SageMaker against these patterns
 * ({@link ../jumpstart/resolve.ts}), so a spec with another layout fails the run at resolution with
 * a message naming the key, instead of an access error deep inside a training job or endpoint.
 */

/** Keys of the JumpStart bucket, by the role that reads them. */
export interface JumpStartKeyPatterns {
  /** Base weights (the `model` channel) and training scripts (the `code` channel). */
  readonly training: readonly string[];
  /** The pretrained model data and its inference code. */
  readonly hosting: readonly string[];
}

/** The JumpStart keys the roles of a deployment of `modelId` may read. */
export function jumpStartKeyPatterns(modelId: string): JumpStartKeyPatterns {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(modelId)) throw new Error(`JumpStart model id ${JSON.stringify(modelId)} must be lower-case letters, digits and hyphens`);
  return {
    training: [`*train*-${modelId}.tar.gz`, `*/${modelId}/artifacts/training*`, 'source-directory-tarballs/*'],
    hosting: [`*infer*-${modelId}.tar.gz`, `*/${modelId}/artifacts/inference*`],
  };
}
