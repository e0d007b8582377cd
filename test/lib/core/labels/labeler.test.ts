import { labelMentions, labelReport } from '../../../../lib/core/labels/labeler';
import { OBSERVATIONS, type Observation } from '../../../../lib/core/labels/observations';

function label(text: string, observation: Observation): number | null {
  return labelReport(text)[observation];
}

describe('mentions', () => {
  test('phrases match inside words, like upstream stems', () => {
    expect(label('Bibasilar opacities.', 'Lung Opacity')).toBe(1);
    expect(label('Subsegmental atelectasis.', 'Atelectasis')).toBe(1);
  });

  test('phrases match across hard-wrapped lines', () => {
    expect(label('Mildly enlarged\nheart size.', 'Cardiomegaly')).toBe(1);
    expect(label('Normal\nheart size.', 'Cardiomegaly')).toBe(0);
  });

  test('a mention inside an unmention is dropped (upstream list)', () => {
    expect(label('Small pericardial effusion.', 'Pleural Effusion')).toBeNull();
    expect(label('Calcified nodule in the left lung.', 'Lung Lesion')).toBeNull();
    expect(label('Massive cardiomegaly.', 'Lung Lesion')).toBeNull();
  });

  test('unmentions built in code for Cardiomegaly and Enlarged Cardiomediastinum', () => {
    const labels = labelReport('Opacity over the heart. Mass in the superior mediastinum.');
    expect(labels.Cardiomegaly).toBeNull();
    expect(labels['Enlarged Cardiomediastinum']).toBeNull();
    expect(labels['Lung Opacity']).toBe(1);
    expect(labels['Lung Lesion']).toBe(1);
  });

  test('project unmention: granulomatous infection is not pneumonia', () => {
    expect(label('Sequela of prior granulomatous infection.', 'Pneumonia')).toBeNull();
  });

  test('no mention is null', () => {
    expect(label('No acute cardiopulmonary process.', 'Pneumothorax')).toBeNull();
  });
});

describe('negation', () => {
  test('forward scope covers every member of a list to the sentence end', () => {
    const labels = labelReport('No focal consolidation, pleural effusion, or pneumothorax.');
    expect(labels.Consolidation).toBe(0);
    expect(labels['Pleural Effusion']).toBe(0);
    expect(labels.Pneumothorax).toBe(0);
  });

  test('the sentence end stops the scope', () => {
    expect(label('No pneumothorax. Small left effusion.', 'Pleural Effusion')).toBe(1);
  });

  test.each(['but', 'however', 'with', 'there'])('the terminator "%s" stops the scope', (word) => {
    expect(label(`No pneumothorax ${word} small left effusion.`, 'Pleural Effusion')).toBe(1);
  });

  test('a semicolon stops the scope', () => {
    expect(label('No pneumothorax; small left effusion.', 'Pleural Effusion')).toBe(1);
  });

  test('a terminator inside a cue does not end the scope ("consistent with")', () => {
    expect(label('Opacity consistent with pneumonia.', 'Pneumonia')).toBe(-1);
  });

  test.each([
    ['Pneumothorax is not seen.', 'Pneumothorax'],
    ['The left effusion has resolved.', 'Pleural Effusion'],
    ['Heart size is normal.', 'Cardiomegaly'],
    ['The heart is not significantly enlarged.', 'Cardiomegaly'],
    ['Heart size within normal limits.', 'Cardiomegaly'],
  ] as const)('short backward window: %s', (text, observation) => {
    expect(label(text, observation)).toBe(0);
  });

  test('the backward window is short', () => {
    expect(label('Effusion at the right base seen on the lateral view of the prior exam is not seen.', 'Pleural Effusion')).toBe(1);
  });

  test('a list with a plural copula negates every member', () => {
    const labels = labelReport('The heart, lungs and mediastinum are normal.');
    expect(labels.Cardiomegaly).toBe(0);
    expect(labels['Enlarged Cardiomediastinum']).toBe(0);
  });

  test('a singular copula does not reach back across a list', () => {
    expect(label('Left pleural effusion and the cardiac silhouette is normal.', 'Pleural Effusion')).toBe(1);
  });

  test('an attributive normal cue negates what follows it, not what precedes it', () => {
    const labels = labelReport('Left pleural effusion, normal heart size.');
    expect(labels.Cardiomegaly).toBe(0);
    expect(labels['Pleural Effusion']).toBe(1);
  });

  test('a pseudo-negation does not negate', () => {
    expect(label('No change in the moderate cardiomegaly.', 'Cardiomegaly')).toBe(1);
  });

  test('partial resolution does not negate what is left', () => {
    expect(label('Almost completely resolved right apical pleural air collection.', 'Pneumothorax')).toBe(1);
    expect(label('Partial resolution of the left pleural effusion.', 'Pleural Effusion')).toBe(1);
    expect(label('Resolved left pleural effusion.', 'Pleural Effusion')).toBe(0);
    expect(label('No pleural air collections.', 'Pneumothorax')).toBe(0);
  });
});

describe('uncertainty and hedges', () => {
  test.each(['Cannot exclude small effusion.', 'No definite effusion.', 'Small effusion is not excluded.'])('uncertainty before negation: %s', (text) => {
    expect(label(text, 'Pleural Effusion')).toBe(-1);
  });

  test.each(['Findings may represent pneumonia.', 'Likely pneumonia.', 'Opacity suspicious for pneumonia.', 'Pneumonia is suspected.'])('hedge: %s', (text) => {
    expect(label(text, 'Pneumonia')).toBe(-1);
  });

  test.each([
    'Findings may be secondary to pulmonary edema.',
    'This could be due to edema.',
    'Question mild pulmonary edema.',
    'Atypical edema is another consideration.',
    'Opacity favoring edema.',
  ])('hedge wordings ("may be" hedges forward too, "consideration" backward): %s', (text) => {
    expect(label(text, 'Edema')).toBe(-1);
  });

  test('a later negation opens its own scope inside an uncertainty scope', () => {
    const labels = labelReport('No definite focal consolidation, no pleural effusion.');
    expect(labels.Consolidation).toBe(-1);
    expect(labels['Pleural Effusion']).toBe(0);
  });

  test('"X or Y" makes both uncertain', () => {
    const labels = labelReport('Left basilar atelectasis or pneumonia.');
    expect(labels.Atelectasis).toBe(-1);
    expect(labels.Pneumonia).toBe(-1);
  });

  test('negation wins over "or" and hedges', () => {
    expect(label('No effusion or pneumothorax.', 'Pneumothorax')).toBe(0);
  });

  test('borderline and upper limits of normal are uncertain, not negative', () => {
    expect(label('Borderline cardiomegaly.', 'Cardiomegaly')).toBe(-1);
    expect(label('Heart size is upper limits of normal.', 'Cardiomegaly')).toBe(-1);
  });

  test('borderline-size wording before a descriptive phrase is uncertain, unless negated', () => {
    expect(label('Upper limits of normal heart size.', 'Cardiomegaly')).toBe(-1);
    expect(label('Top normal heart size.', 'Cardiomegaly')).toBe(-1);
    expect(label('Borderline cardiomegaly without heart failure.', 'Edema')).toBe(0);
  });

  test('a descriptive phrase is positive with a size word, whatever else surrounds it', () => {
    expect(label('The heart is enlarged.', 'Cardiomegaly')).toBe(1);
    expect(label('Heart size is mildly enlarged but stable.', 'Cardiomegaly')).toBe(1);
    expect(label('Interval increase in heart size.', 'Cardiomegaly')).toBe(1);
    expect(label('Widening of the mediastinum.', 'Enlarged Cardiomediastinum')).toBe(1);
    expect(label('Prominent mediastinal contour.', 'Enlarged Cardiomediastinum')).toBe(1);
  });

  test('a descriptive phrase that says nothing about size is not a mention (stable, unchanged, other words)', () => {
    expect(label('Stable cardiomediastinal silhouette.', 'Enlarged Cardiomediastinum')).toBeNull();
    expect(label('Heart size is stable.', 'Cardiomegaly')).toBeNull();
    expect(label('The heart and lungs have been examined in the interval.', 'Cardiomegaly')).toBeNull();
    expect(label('Surgical clips in the left mediastinum.', 'Enlarged Cardiomediastinum')).toBeNull();
    expect(label('Heart size is stable.', 'No Finding')).toBe(1);
  });

  test('a stable disease stays positive', () => {
    expect(label('Stable cardiomegaly.', 'Cardiomegaly')).toBe(1);
  });
});

describe('aggregation', () => {
  test('positive beats uncertain beats negative', () => {
    expect(label('No effusion. Possible effusion. Small effusion.', 'Pleural Effusion')).toBe(1);
    expect(label('No effusion. Possible effusion.', 'Pleural Effusion')).toBe(-1);
    expect(label('No effusion. Effusion is not seen.', 'Pleural Effusion')).toBe(0);
  });

  test('heart failure makes an unmentioned cardiomegaly uncertain', () => {
    expect(label('Findings of congestive heart failure.', 'Cardiomegaly')).toBe(-1);
    expect(label('Findings of congestive heart failure. Heart size is normal.', 'Cardiomegaly')).toBe(0);
    expect(label('No heart failure.', 'Cardiomegaly')).toBeNull();
  });

  test('No Finding is 1 when nothing but support devices is positive or uncertain', () => {
    expect(label('Heart size is normal. No effusion.', 'No Finding')).toBe(1);
    expect(label('Right PICC line in place. No effusion.', 'No Finding')).toBe(1);
    expect(label('', 'No Finding')).toBe(1);
  });

  test('No Finding is null with a positive or uncertain observation or other abnormality', () => {
    expect(label('Possible effusion.', 'No Finding')).toBeNull();
    expect(label('Calcified granuloma.', 'No Finding')).toBeNull();
    expect(label('No emphysema.', 'No Finding')).toBe(1);
  });

  test('a negating prefix negates only the word it starts', () => {
    expect(label('Nonconsolidating airspace disease.', 'Consolidation')).toBe(0);
    const mentions = (text: string) => labelMentions(text).map((m) => [m.category, m.label]);
    expect(mentions('Non-calcified nodule.')).toEqual([
      ['Lung Lesion', 1],
      ['Other Finding', 0],
    ]);
    expect(mentions('Uncalcified nodule.')).toEqual([
      ['Lung Lesion', 1],
      ['Other Finding', 0],
    ]);
    expect(label('Noncalcified nodule.', 'Lung Lesion')).toBe(1);
    expect(label('Non-displaced rib fracture.', 'Fracture')).toBe(1);
  });

  test('a vertebral endplate is not a support device; "atelectatic" is not an ectatic aorta', () => {
    expect(label('Endplate sclerosis.', 'Support Devices')).toBeNull();
    expect(label('Sternal plate and screws.', 'Support Devices')).toBe(1);
    expect(labelMentions('Atelectatic change.').map((m) => m.category)).not.toContain('Other Finding');
  });

  test('project wordings of upstream no_finding entries block No Finding, negated ones do not', () => {
    for (const text of [
      'Low lung volumes.',
      'The lung volumes are low.',
      'Hypoinflated lungs.',
      'The aorta is tortuous.',
      'Ectatic thoracic aorta.',
      'Unfolding of the aorta.',
      'Mild dextrocurvature of the spine.',
      'Thoracic spondylosis.',
    ]) {
      expect([text, label(text, 'No Finding')]).toEqual([text, null]);
    }
    expect(label('Normal lung volumes.', 'No Finding')).toBe(1);
    expect(label('No curvature of the spine.', 'No Finding')).toBe(1);
  });

  test('every report gets all 14 observations', () => {
    expect(Object.keys(labelReport('Mild cardiomegaly.'))).toEqual([...OBSERVATIONS]);
  });

  test('labelMentions returns each mention with its label', () => {
    expect(labelMentions('No pneumothorax.').map((m) => [m.category, m.phrase, m.label])).toEqual([['Pneumothorax', 'pneumothorax', 0]]);
  });
});

describe('rules aligned with upstream CheXpert (labels2)', () => {
  test.each([
    ['No definite pleural effusion or pneumothorax.', 'Pneumothorax'],
    ['No definite focal alveolar consolidation.', 'Consolidation'],
  ] as const)('"no definite" is pre-negation uncertainty over its whole clause (specification): %s', (text, observation) => {
    expect(label(text, observation)).toBe(-1);
  });

  test.each(['Heart size is at the upper limits of normal.', 'The cardiac silhouette is within upper limits of normal.'])(
    '"at/within upper limits of normal" negates, as upstream: %s',
    (text) => {
      expect(label(text, 'Cardiomegaly')).toBe(0);
    },
  );

  test('"do not" negates forward as well as backward', () => {
    expect(label('The lungs do not demonstrate focal infiltrate or effusion.', 'Pleural Effusion')).toBe(0);
  });

  test.each([
    ['Recommend CT to rule out pulmonary nodule.', 'Lung Lesion'],
    ['Consider oblique views to exclude true nodule.', 'Lung Lesion'],
  ] as const)('"rule out" and "exclude" negate, as upstream: %s', (text, observation) => {
    expect(label(text, observation)).toBe(0);
  });

  test.each([
    'It would be difficult to completely exclude a superimposed pneumonia.',
    'Pneumonia is difficult to entirely exclude.',
    'Please correlate clinically for pneumonia.',
  ])('uncertain with an adverb inside the cue or a correlation request: %s', (text) => {
    expect(label(text, 'Pneumonia')).toBe(-1);
  });

  test('a longer pseudo-negation hides "without"', () => {
    expect(label('Without significant interval change of mild subsegmental atelectasis.', 'Atelectasis')).toBe(1);
  });

  test('vascular congestion and prominence are uncertain edema unless negated', () => {
    expect(label('Mild pulmonary vascular congestion.', 'Edema')).toBe(-1);
    expect(label('Central vascular prominence.', 'Edema')).toBe(-1);
    expect(label('No vascular congestion.', 'Edema')).toBe(0);
    expect(label('Interstitial edema.', 'Edema')).toBe(1);
  });
});

describe('project mentions and unmentions (labels2)', () => {
  test('an unmention must start a word: "uncalcified nodule" is a lung lesion', () => {
    expect(label('7 mm uncalcified nodule in the lingula.', 'Lung Lesion')).toBe(1);
    expect(label('Noncalcified nodule in the right upper lobe.', 'Lung Lesion')).toBe(1);
  });

  test.each([
    ['Surgical clips compatible with prior lumpectomy.', 'Lung Lesion'],
    ['Bronchiectasis, postinfectious.', 'Pneumonia'],
    ['Soft tissue edema of the chest wall.', 'Edema'],
  ] as const)('project unmention: %s', (text, observation) => {
    expect(label(text, observation)).toBeNull();
  });

  test.each(['Hyperexpanded lungs.', 'Elevated right hemidiaphragm.', 'Thoracic spine osteophytes.'])(
    'stems of upstream no_finding entries block No Finding: %s',
    (text) => {
      expect(label(text, 'No Finding')).toBeNull();
    },
  );
});
