import { jumpStartKeyPatterns } from '../../../../lib/core/jumpstart/artifact-scopes';
import { matchesAnyIamPattern } from '../../../../lib/core/iam-pattern';
import { fixtureText } from '../../../helpers/jumpstart';

interface Spec {
  model_id: string;
  training_artifact_key: string;
  training_script_key: string;
  training_prepacked_script_key: string;
  hosting_artifact_key: string;
  hosting_prepacked_artifact_key: string;
}

describe('jumpStartKeyPatterns on the recorded specs', () => {
  test.each(['flan-t5-base-2.2.3.spec.json', 'flan-t5-xxl-fp16-1.1.2.spec.json', 'flan-t5-base-1.2.0.spec.json'])(
    '%s: training reads its weights and scripts, hosting its inference artefacts, and neither the other',
    (file) => {
      const spec = JSON.parse(fixtureText(file)) as Spec;
      const { training, hosting } = jumpStartKeyPatterns(spec.model_id);
      for (const key of [spec.training_artifact_key, spec.training_script_key, spec.training_prepacked_script_key]) {
        expect({ key, training: matchesAnyIamPattern(key, training), hosting: matchesAnyIamPattern(key, hosting) }).toEqual({
          key,
          training: true,
          hosting: false,
        });
      }
      for (const key of [spec.hosting_artifact_key, spec.hosting_prepacked_artifact_key]) {
        expect({ key, training: matchesAnyIamPattern(key, training), hosting: matchesAnyIamPattern(key, hosting) }).toEqual({
          key,
          training: false,
          hosting: true,
        });
      }
    },
  );

  test('the recorded flan-t5-xl hosting keys (1.2.1, 1.2.2, 2.2.15) are readable by the hosting role of that model only', () => {
    const xl = JSON.parse(fixtureText('flan-t5-xl-hosting.json')) as Record<string, { artifactKey: string; prepackedArtifactKey: string }>;
    const keys = Object.values(xl).flatMap((v) => [v.artifactKey, v.prepackedArtifactKey]);
    expect(keys).toHaveLength(6);
    for (const key of keys) {
      expect(matchesAnyIamPattern(key, jumpStartKeyPatterns('huggingface-text2text-flan-t5-xl').hosting)).toBe(true);
      expect(matchesAnyIamPattern(key, jumpStartKeyPatterns('huggingface-text2text-flan-t5-xxl').hosting)).toBe(false);
      expect(matchesAnyIamPattern(key, jumpStartKeyPatterns('huggingface-text2text-flan-t5-base').hosting)).toBe(false);
    }
  });

  test('a model id that is not a plain JumpStart id is refused', () => {
    expect(() => jumpStartKeyPatterns('flan-t5/*')).toThrow(/must be lower-case letters, digits and hyphens/);
  });
});
