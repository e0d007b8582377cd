/**
 * The cue lists of the labeler's surface rules, kept as data.
 *
 * Provenance: written for this project. The categories and their order follow the CheXpert labeler
 * (Irvin et al., AAAI 2019): pre-negation uncertainty, negation, post-negation uncertainty; the
 * forward scopes, terminators and pseudo-negations follow the NegEx idea (Chapman et al., 2001). The
 * phrases themselves are common radiology wordings chosen by us, not copied from either project, and
 * were checked against the Indiana dev reports (bench/labels.bench.ts) with general rules only.
 * Where upstream's patterns decide a wording explicitly we follow them: "X at/within the upper limits
 * of normal", "rule out X" and "exclude X" are negations; "correlate clinically for
 * X" and the Edema phrases in UNCERTAIN_PHRASES are uncertain (upstream `patterns/negation.txt` and
 * `patterns/post_negation_uncertainty.txt`, commit 6dd0efa93d5effffb19b08721d5348776162a2fe; read, not
 * copied). We differ from upstream where the project's specification (issue 8) or the existing tests fix our
 * choice: "no definite X" is pre-negation uncertainty, as the specification lists it; "consistent with" stays
 * a hedge and "heart size is upper limits of normal" (no "at"/"within") stays uncertain.
 *
 * Every cue is lower-case words separated by single spaces and matches whole word tokens (hyphens
 * split words, so "top-normal" is "top normal"). At each token the longest cue of any list wins, so
 * "no change" (pseudo) hides "no" (negation) and "not excluded" (uncertainty) hides "not".
 */

/** What a cue does, and on which side of a mention it must stand. */
export type CueKind =
  /** Pre-negation uncertainty before the mention, scope to the end of the clause ("cannot exclude X"). */
  | 'uncertainBefore'
  /** Pre-negation uncertainty after the mention, short backward window ("X is not excluded"). */
  | 'uncertainAfter'
  /** Borderline-size wording just before the mention, short forward window ("upper limits of normal heart size"). */
  | 'uncertainAttributive'
  /** Negation before the mention, scope to the end of the clause ("no X, Y or Z"). */
  | 'negationBefore'
  /** Attributive normal wording before the mention, short forward window ("normal heart size"). */
  | 'normalBefore'
  /** Negation after the mention, short backward window; lists negate every member ("X and Y are normal"). */
  | 'negationAfter'
  /** Hedge before the mention, scope to the end of the clause ("likely X"). */
  | 'hedgeBefore'
  /** Hedge after the mention, short backward window ("X is suspected"). */
  | 'hedgeAfter'
  /** Looks like a negation but is not one ("no change in X"); matched only to hide the negation. */
  | 'pseudo';

/** The cue lists by kind. */
export const CUES: Readonly<Record<CueKind, readonly string[]>> = {
  uncertainBefore: [
    'cannot exclude',
    "can't exclude",
    'can not exclude',
    'cannot rule out',
    "can't rule out",
    'can not rule out',
    'not rule out',
    'cannot be excluded',
    'difficult to exclude',
    'difficult to completely exclude',
    'difficult to entirely exclude',
    'cannot completely exclude',
    'cannot entirely exclude',
    'cannot definitely exclude',
    'not possible to exclude',
    'impossible to exclude',
    'no definite',
    'no definitive',
    'not definitely',
    'no convincing',
  ],
  uncertainAfter: [
    'not excluded',
    'not be excluded',
    'cannot be excluded',
    'can not be excluded',
    "can't be excluded",
    'not entirely excluded',
    'not completely excluded',
    'not ruled out',
    'not be ruled out',
    'cannot be ruled out',
    'difficult to exclude',
    'difficult to completely exclude',
    'difficult to entirely exclude',
    'upper limits of normal',
    'upper limit of normal',
    'upper limits normal',
    'upper range of normal',
    'upper normal',
    'top normal',
    'top of normal',
    'high normal',
    'borderline',
  ],
  uncertainAttributive: [
    'upper limits of normal',
    'upper limit of normal',
    'upper limits normal',
    'upper range of normal',
    'upper normal',
    'top normal',
    'top of normal',
    'high normal',
    'borderline',
  ],
  negationBefore: [
    'no',
    'not',
    'without',
    'negative for',
    'free of',
    'clear of',
    'absence of',
    'absent',
    'resolution of',
    'resolved',
    'removal of',
    'neither',
    'nor',
    'never',
    'no longer',
    'interval resolution of',
    'does not',
    'do not',
    'did not',
    'rule out',
    'to exclude',
    'exclude',
  ],
  normalBefore: ['normal', 'unremarkable', 'within normal limits'],
  negationAfter: [
    'not',
    'does not',
    'do not',
    'not seen',
    'not identified',
    'not visualized',
    'not present',
    'not appreciated',
    'not demonstrated',
    'not evident',
    'not detected',
    'not noted',
    'not enlarged',
    'not widened',
    'not dilated',
    'not increased',
    'no longer seen',
    'no longer visualized',
    'no longer present',
    'no longer evident',
    'no longer identified',
    'normal',
    'within normal limits',
    'within normal range',
    'unremarkable',
    'resolved',
    'cleared',
    'removed',
    'absent',
    'clear',
    'negative',
    'at the upper limits of normal',
    'at the upper limit of normal',
    'at upper limits of normal',
    'at upper limit of normal',
    'within upper limits of normal',
    'within the upper limits of normal',
    'within upper limit of normal',
    'within the upper limit of normal',
  ],
  hedgeBefore: [
    'may',
    'might',
    'could',
    'possible',
    'possibly',
    'probable',
    'probably',
    'likely',
    'suspicious for',
    'suspicious',
    'suspicion for',
    'suspicion of',
    'suspect',
    'suspected',
    'concerning for',
    'concern for',
    'worrisome for',
    'suggestive of',
    'suggesting',
    'suggests',
    'suggest',
    'question',
    'question of',
    'questionable',
    'consider',
    'considered',
    'differential',
    'versus',
    'vs',
    'borderline',
    'equivocal',
    'presumed',
    'presumably',
    'favor',
    'favors',
    'favored',
    'favoring',
    'consideration',
    'considerations',
    'consistent with',
    'compatible with',
    'evaluate for',
    'correlate for',
    'correlate clinically for',
    'clinically correlate for',
    'clinical correlation for',
    'could be',
    'may be',
    'might be',
    'could be due to',
    'may be due to',
    'might be due to',
    'likely due to',
    'possibly due to',
    'probably due to',
    'evaluation for',
    'indeterminate',
    'uncertain',
    'not certain',
    'apparent',
    'apparently',
    'perhaps',
  ],
  hedgeAfter: [
    'likely',
    'unlikely',
    'possible',
    'possibly',
    'probable',
    'suspected',
    'questioned',
    'questionable',
    'versus',
    'vs',
    'could be',
    'may be',
    'might be',
    'favored',
    'considered',
    'not certain',
    'uncertain',
    'is suggested',
    'are suggested',
    'equivocal',
    'likely due to',
    'possibly due to',
    'consideration',
  ],
  pseudo: [
    'no change',
    'no interval change',
    'no significant change',
    'no significant interval change',
    'no substantial change',
    'no appreciable change',
    'no definite change',
    'no convincing change',
    'without change',
    'without interval change',
    'without significant change',
    'without significant interval change',
    'not changed',
    'not significantly changed',
    'no increase',
    'no significant increase',
    'no decrease',
    'not only',
    'almost completely resolved',
    'nearly completely resolved',
    'almost resolved',
    'nearly resolved',
    'partially resolved',
    'incompletely resolved',
    'not completely resolved',
    'not entirely resolved',
    'partial resolution of',
    'near complete resolution of',
    'incomplete resolution of',
  ],
};

/**
 * Words that end a forward scope and stop a backward window: a new clause starts ("no effusion, but
 * there is ..."). Sentence ends, semicolons, colons and parentheses end scopes too (see text.ts).
 */
export const TERMINATORS: readonly string[] = [
  'but',
  'however',
  'although',
  'though',
  'except',
  'aside',
  'apart',
  'which',
  'with',
  'while',
  'whereas',
  'there',
  'yet',
  'otherwise',
  'since',
  'because',
  'due',
];

/** Singular copulas: the subject is one noun phrase, so a backward window does not cross a list. */
export const SINGULAR_COPULAS: readonly string[] = ['is', 'was', 'has', 'appears', 'remains', 'seems', 'looks'];

/** Words a backward or attributive window does not count (articles, copulas, size words, adverbs). */
export const FILLER_WORDS: readonly string[] = [
  'the',
  'a',
  'an',
  'of',
  'is',
  'are',
  'was',
  'were',
  'be',
  'been',
  'has',
  'have',
  'appear',
  'appears',
  'appeared',
  'remain',
  'remains',
  'remained',
  'seem',
  'seems',
  'look',
  'looks',
  'size',
  'sizes',
  'in',
  'overall',
  'both',
  'again',
  'still',
  'currently',
  'grossly',
  'essentially',
  'also',
  'all',
  'stable',
  'unchanged',
  'and',
];

/**
 * Prefixes that negate the word they start: a mention whose phrase begins right after one of them,
 * inside the word ("nonconsolidating", "uncalcified") or after a hyphen ("non-calcified"), is
 * negative. Only the prefixed word is negated, so "non-displaced rib fracture" stays a fracture.
 */
export const NEGATING_PREFIXES: readonly string[] = ['non', 'un'];

/** Words joining the members of a list; a plural or absent copula lets a backward window cross them. */
export const LIST_WORDS: readonly string[] = ['and', 'or', 'nor'];

/** Words coordinating alternatives: a mention next to one of them is uncertain ("atelectasis or pneumonia"). */
export const ALTERNATIVE_WORDS: readonly string[] = ['or', 'versus', 'vs'];

/**
 * Mention phrases that describe the heart or mediastinum without saying it is abnormal. They are
 * negative with a normal cue, uncertain with a borderline one, positive with a size word
 * (SIZE_WORD_STEMS: "heart size is enlarged"), and otherwise not a mention. Upstream CheXpert labels
 * them positive without a cue and uncertain with "stable" or "unchanged"; here "heart size is stable"
 * says nothing about enlargement (no size word) and is not a mention, while "heart size is enlarged
 * but stable" is positive.
 */
export const DESCRIPTIVE_PHRASES: readonly string[] = [
  'the heart',
  'heart size',
  'cardiac size',
  'cardiac shadow',
  'cardiac contour',
  'cardiac silhouette',
  'mediastinum',
  'cardiomediastinum',
  'contour',
  'mediastinal configuration',
  'mediastinal silhouette',
  'pericardial silhouette',
  'cardiac silhouette and vascularity',
];

/**
 * Words that state a size or shape change of the heart or mediastinum, matched as the start of a
 * word token ("enlarg" covers "enlarged" and "enlargement"). A descriptive phrase whose clause holds
 * none of them and no cue says nothing about enlargement ("the heart and lungs have been examined",
 * "surgical clips in the mediastinum") and is not a mention. This is a project rule: upstream CheXpert
 * labels such phrases positive.
 */
export const SIZE_WORD_STEMS: readonly string[] = ['enlarg', 'large', 'big', 'prominen', 'increas', 'widen', 'wide', 'dilat', 'globular', 'cardiomegaly'];

/**
 * Mention phrases that are uncertain unless negated, whatever surrounds them: upstream's
 * post-negation uncertainty patterns make the Edema phrases "vascular congestion", "pulmonary
 * congestion", "indistinctness" and "vascular prominence" uncertain (they suggest, not show, edema).
 */
export const UNCERTAIN_PHRASES: readonly string[] = ['vascular congestion', 'pulmonary congestion', 'indistinctness', 'vascular prominence'];

/** Backward window: at most this many counted words between a mention and an after-cue. */
export const AFTER_WINDOW = 5;
/** Backward window across a list ("heart, lungs, mediastinum and bones are normal"). */
export const AFTER_LIST_WINDOW = 12;
/** Forward window of an attributive normal cue ("normal heart size, mediastinal contour and vasculature"). */
export const NORMAL_BEFORE_WINDOW = 4;
/** How far (in tokens, across commas and list members) an alternative word makes a mention uncertain. */
export const ALTERNATIVE_WINDOW = 3;
