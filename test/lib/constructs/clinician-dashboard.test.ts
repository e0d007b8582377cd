import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../lib/app';
import {
  COMPARISON_SIDE_FIELD,
  MAX_ROW_SPAN,
  RUN_A_PARAMETER,
  RUN_B_PARAMETER,
  RUN_PARAMETER,
  selectedRunField,
} from '../../../lib/constructs/clinician-dashboard-definition';
import { REVIEW_SUMMARY_DATA_SET, REVIEWS_DATA_SET, SHEET_REVIEW } from '../../../lib/constructs/review-dashboard-sheet';
import { AthenaWorkgroup } from '../../../lib/constructs/athena-workgroup';
import { ClinicianDashboard } from '../../../lib/constructs/clinician-dashboard';
import { DataStore } from '../../../lib/constructs/data-store';
import { ResultsCatalog } from '../../../lib/constructs/results-catalog';
import { dashboardDataSets, DASHBOARD_DATA_SETS, LATEST_RUN, PREVIOUS_RUN } from '../../../lib/core/analytics/dashboard-sql';
import { LOWEST_SCORING_LIMIT, namedQueries } from '../../../lib/core/analytics/queries';
import { METRIC_NAMES, MODEL_NAMES } from '../../../lib/core/results-report/names';
import { analyticsNames } from '../../../lib/core/deployment';
import { MAX_TRUSTED_ERROR_RATE } from '../../../lib/core/results-report/trust';
import { testApp } from '../../helpers/cdk';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

/** `{"Fn::Sub": "...${!Run}..."}` as QuickSight receives it: `...${Run}...`. */
function resolveSub(value: Json): Json {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value['Fn::Sub'] === 'string') {
    return (value['Fn::Sub'] as string).replaceAll('${!', '${');
  }
  return value;
}

function synthesizedDashboard(): { definition: Obj; dataSetColumns: Map<string, Map<string, string>>; sql: Map<string, string> } {
  const stacks = buildApp(testApp({ 'impressions:quicksightPrincipalArns': 'arn:aws:quicksight:us-east-1:123456789012:group/default/clinicians' }));
  const template = Template.fromStack(stacks.analytics);
  const dataSets = template.findResources('AWS::QuickSight::DataSet');
  const dashboard = Object.values(template.findResources('AWS::QuickSight::Dashboard'))[0];
  const definition = dashboard.Properties.Definition as Obj;
  for (const field of (definition.CalculatedFields ?? []) as Obj[]) field.Expression = resolveSub(field.Expression);
  // Identifier in the definition → that data set's columns (name → type) and SQL text.
  const dataSetColumns = new Map<string, Map<string, string>>();
  const sql = new Map<string, string>();
  for (const declaration of definition.DataSetIdentifierDeclarations as Obj[]) {
    const logicalId = ((declaration.DataSetArn as Obj)['Fn::GetAtt'] as string[])[0];
    const dataSet = dataSets[logicalId];
    expect(dataSet).toBeDefined();
    type Column = { Name: string; Type: string };
    const tables = Object.values(
      dataSet.Properties.PhysicalTableMap as Record<
        string,
        { CustomSql?: { Columns: Column[]; SqlQuery: Json }; RelationalTable?: { InputColumns: Column[] } }
      >,
    );
    expect(tables).toHaveLength(1);
    // The result data sets run custom SQL; the review data sets (lib/constructs/review-dashboard-sheet.ts) read their Glue tables whole.
    const columns = tables[0].CustomSql?.Columns ?? tables[0].RelationalTable?.InputColumns ?? [];
    dataSetColumns.set(declaration.Identifier as string, new Map(columns.map((c) => [c.Name, c.Type] as const)));
    if (tables[0].CustomSql !== undefined) sql.set(declaration.Identifier as string, JSON.stringify(tables[0].CustomSql.SqlQuery));
  }
  return { definition, dataSetColumns, sql };
}

function walk(node: Json, visit: (o: Obj, path: string) => void, path = '$'): void {
  if (Array.isArray(node)) node.forEach((child, i) => walk(child, visit, `${path}[${i}]`));
  else if (node !== null && typeof node === 'object') {
    visit(node, path);
    for (const [key, child] of Object.entries(node)) walk(child, visit, `${path}.${key}`);
  }
}

const inner = (o: Obj): Obj => Object.values(o)[0] as Obj;

/** Every problem of a definition: unknown data set, column, parameter; dangling control, filter or layout element. */
function definitionProblems(definition: Obj, dataSetColumns: Map<string, Map<string, string>>): string[] {
  const problems: string[] = [];
  const parameters = new Set(((definition.ParameterDeclarations ?? []) as Obj[]).map((p) => inner(p).Name as string));
  const calculated = new Map<string, Set<string>>();
  for (const field of (definition.CalculatedFields ?? []) as Obj[]) {
    const dataSet = field.DataSetIdentifier as string;
    if (!dataSetColumns.has(dataSet)) problems.push(`calculated field ${String(field.Name)}: unknown data set ${dataSet}`);
    if (typeof field.Expression !== 'string') problems.push(`calculated field ${String(field.Name)}: expression is not text`);
    for (const [, column] of String(field.Expression).matchAll(/(?<!\$)\{([^}]+)\}/g)) {
      if (!dataSetColumns.get(dataSet)?.has(column)) problems.push(`calculated field ${String(field.Name)}: unknown column ${column}`);
    }
    for (const [, parameter] of String(field.Expression).matchAll(/\$\{([^}]+)\}/g)) {
      if (!parameters.has(parameter)) problems.push(`calculated field ${String(field.Name)}: unknown parameter ${parameter}`);
    }
    calculated.set(dataSet, new Set([...(calculated.get(dataSet) ?? []), field.Name as string]));
  }
  walk(definition, (o, path) => {
    if (typeof o.DataSetIdentifier === 'string' && typeof o.ColumnName === 'string') {
      const columns = dataSetColumns.get(o.DataSetIdentifier);
      if (columns === undefined) problems.push(`${path}: unknown data set ${o.DataSetIdentifier}`);
      else if (!columns.has(o.ColumnName) && !calculated.get(o.DataSetIdentifier)?.has(o.ColumnName))
        problems.push(`${path}: data set ${o.DataSetIdentifier} has no column ${o.ColumnName}`);
    }
    if (typeof o.SourceParameterName === 'string' && !parameters.has(o.SourceParameterName))
      problems.push(`${path}: unknown parameter ${o.SourceParameterName}`);
  });
  const filterIds = new Set<string>();
  const sheetIds = new Set((definition.Sheets as Obj[]).map((s) => s.SheetId as string));
  for (const group of (definition.FilterGroups ?? []) as Obj[]) {
    for (const filter of group.Filters as Obj[]) filterIds.add(inner(filter).FilterId as string);
    walk(group.ScopeConfiguration, (o) => {
      if (typeof o.SheetId === 'string' && !sheetIds.has(o.SheetId)) problems.push(`filter group ${String(group.FilterGroupId)}: unknown sheet ${o.SheetId}`);
    });
  }
  const ids = new Set<string>();
  for (const sheet of definition.Sheets as Obj[]) {
    const elementIds = new Set<string>();
    for (const visual of (sheet.Visuals ?? []) as Obj[]) elementIds.add(inner(visual).VisualId as string);
    for (const box of (sheet.TextBoxes ?? []) as Obj[]) elementIds.add(box.SheetTextBoxId as string);
    for (const control of (sheet.ParameterControls ?? []) as Obj[]) elementIds.add(inner(control).ParameterControlId as string);
    for (const control of (sheet.FilterControls ?? []) as Obj[]) {
      const c = inner(control);
      elementIds.add(c.FilterControlId as string);
      if (!filterIds.has(c.SourceFilterId as string))
        problems.push(`sheet ${String(sheet.SheetId)}: control ${String(c.FilterControlId)} points at unknown filter ${String(c.SourceFilterId)}`);
    }
    for (const id of elementIds) {
      if (ids.has(id)) problems.push(`id ${id} used twice`);
      ids.add(id);
    }
    const laidOut = new Set<string>();
    walk(sheet.Layouts ?? [], (o) => {
      if (typeof o.ElementId !== 'string') return;
      laidOut.add(o.ElementId);
      if (!elementIds.has(o.ElementId)) problems.push(`sheet ${String(sheet.SheetId)}: layout element ${o.ElementId} is not on the sheet`);
    });
    for (const id of elementIds) if (!laidOut.has(id)) problems.push(`sheet ${String(sheet.SheetId)}: ${id} is not in the layout`);
  }
  return problems;
}

/** The data sets the visuals of a sheet read. */
function dataSetsOf(sheet: Obj): Set<string> {
  const out = new Set<string>();
  walk(sheet.Visuals ?? [], (o) => {
    if (typeof o.DataSetIdentifier === 'string') out.add(o.DataSetIdentifier);
  });
  return out;
}

/** Table visuals with their field options by field id, their columns and their sort. */
function tables(
  definition: Obj,
): { id: string; sheet: string; options: Map<string, Obj>; columns: Map<string, string>; sort: [string, string][]; tableOptions: Obj }[] {
  const out: ReturnType<typeof tables> = [];
  for (const sheet of (definition.Sheets as Obj[]).filter((s) => s.SheetId !== SHEET_REVIEW)) {
    for (const visual of (sheet.Visuals ?? []) as Obj[]) {
      const table = visual.TableVisual as Obj | undefined;
      if (table === undefined) continue;
      const config = table.ChartConfiguration as Obj;
      const values = ((config.FieldWells as Obj).TableUnaggregatedFieldWells as Obj).Values as Obj[];
      out.push({
        id: table.VisualId as string,
        sheet: sheet.SheetId as string,
        options: new Map((((config.FieldOptions as Obj).SelectedFieldOptions ?? []) as Obj[]).map((o) => [o.FieldId as string, o])),
        columns: new Map(values.map((v) => [v.FieldId as string, (v.Column as Obj).ColumnName as string])),
        sort: (((config.SortConfiguration as Obj).RowSort ?? []) as Obj[]).map((s) => {
          const f = s.FieldSort as Obj;
          return [
            values.find((v) => v.FieldId === f.FieldId)!.Column ? ((values.find((v) => v.FieldId === f.FieldId)!.Column as Obj).ColumnName as string) : '',
            f.Direction as string,
          ];
        }),
        tableOptions: config.TableOptions as Obj,
      });
    }
  }
  return out;
}

describe("the clinicians' dashboard definition", () => {
  const { definition, dataSetColumns, sql } = synthesizedDashboard();
  // The radiologist review sheet (lib/constructs/review-dashboard-sheet.ts) reads the review tables whole: raw ids, its own
  // run and review drop-downs, aggregated tables. Until it is rebuilt on custom SQL like the result sheets, the conventions
  // below (run parameter, readable names, table options) are checked on the result sheets only; the reference checks cover all.
  const sheets = (definition.Sheets as Obj[]).filter((s) => s.SheetId !== SHEET_REVIEW);
  const filterGroups = definition.FilterGroups as Obj[];
  const parameter = (name: string) => ((definition.ParameterDeclarations as Obj[]).map(inner).find((p) => p.Name === name) ?? {}) as Obj;

  test('every column, parameter, control, filter and layout element refers to something that exists', () => {
    expect(definitionProblems(definition, dataSetColumns)).toEqual([]);
    expect([...dataSetColumns.keys()]).toEqual([...DASHBOARD_DATA_SETS, REVIEWS_DATA_SET, REVIEW_SUMMARY_DATA_SET]);
  });

  test('the check finds a misspelt column, an unknown data set, an unknown parameter and a dangling control', () => {
    const broken = JSON.parse(JSON.stringify(definition)) as Obj;
    const reports = (broken.Sheets as Obj[]).find((s) => s.SheetId === 'reports')!;
    const table = inner((reports.Visuals as Obj[])[0]);
    const values = (((table.ChartConfiguration as Obj).FieldWells as Obj).TableUnaggregatedFieldWells as Obj).Values as Obj[];
    (values[0].Column as Obj).ColumnName = 'rouge_l';
    (values[1].Column as Obj).DataSetIdentifier = 'nope';
    (inner((reports.FilterControls as Obj[])[0]) as Obj).SourceFilterId = 'missing';
    (inner((reports.ParameterControls as Obj[])[0]) as Obj).SourceParameterName = 'Runn';
    expect(definitionProblems(broken, dataSetColumns)).toEqual([
      expect.stringMatching(/ParameterControls\[0\].Dropdown: unknown parameter Runn/),
      expect.stringMatching(/data set studies has no column rouge_l/),
      expect.stringMatching(/unknown data set nope/),
      expect.stringMatching(/points at unknown filter missing/),
    ]);
  });

  test('defaults to the latest run: the Run parameter starts at "Latest run", which matches run_rank 1', () => {
    expect(parameter(RUN_PARAMETER)).toMatchObject({ ParameterValueType: 'SINGLE_VALUED', DefaultValues: { StaticValues: [LATEST_RUN] } });
    for (const ds of ['summary', 'predictions', 'paired', 'observations', 'studies']) {
      const field = (definition.CalculatedFields as Obj[]).find((f) => f.Name === selectedRunField(ds as 'summary'))!;
      expect(field.DataSetIdentifier).toBe(ds);
      expect(field.Expression).toContain(`(\${Run} = '${LATEST_RUN}' AND {run_rank} = 1)`);
      expect(field.Expression).toContain('{run_id} = ${Run}');
      expect(dataSetColumns.get(ds)!.get('run_rank')).toBe('INTEGER');
    }
    // The SQL ranks runs by their first row's time, newest first.
    expect(sql.get('summary')).toContain('rank() OVER (ORDER BY started_at DESC, run_id DESC) AS integer) AS run_rank');
    expect(sql.get('runs')).toContain(`'${LATEST_RUN}' AS run_choice`);
  });

  test('one run control per sheet drives every visual on it; no visual averages over runs', () => {
    for (const sheet of sheets.filter((s) => s.SheetId !== 'run-comparison')) {
      const controls = ((sheet.ParameterControls ?? []) as Obj[]).map(inner);
      expect({ sheet: sheet.SheetId, controls: controls.map((c) => c.SourceParameterName) }).toEqual({ sheet: sheet.SheetId, controls: [RUN_PARAMETER] });
      expect((controls[0].SelectableValues as Obj).LinkToDataSetColumn).toEqual({ DataSetIdentifier: 'runs', ColumnName: 'run_choice' });
      // Every data set a visual of the sheet reads is filtered to the chosen run on the whole sheet.
      for (const ds of dataSetsOf(sheet)) {
        const group = filterGroups.find((g) => g.FilterGroupId === `run-${ds}-group`);
        expect({ sheet: sheet.SheetId, ds, found: group !== undefined }).toEqual({ sheet: sheet.SheetId, ds, found: true });
        const filter = inner((group!.Filters as Obj[])[0]);
        expect(filter).toMatchObject({ Column: { DataSetIdentifier: ds, ColumnName: selectedRunField(ds as 'summary') }, Value: 1, MatchOperator: 'EQUALS' });
        const scopes = ((group!.ScopeConfiguration as Obj).SelectedSheets as Obj).SheetVisualScopingConfigurations as Obj[];
        expect(scopes).toContainEqual({ SheetId: sheet.SheetId, Scope: 'ALL_VISUALS' });
      }
    }
    // No run filter control and no run_id column in any visual: the run is chosen by the parameter only.
    walk(sheets, (o) => {
      if (o.ColumnName === 'run_id') throw new Error('a visual or control uses run_id directly');
    });
  });

  test('the run comparison sheet compares two chosen runs, the latest and the previous by default', () => {
    const sheet = sheets.find((s) => s.SheetId === 'run-comparison')!;
    expect(((sheet.ParameterControls as Obj[]).map(inner) as Obj[]).map((c) => c.SourceParameterName)).toEqual([RUN_A_PARAMETER, RUN_B_PARAMETER]);
    expect(parameter(RUN_A_PARAMETER)).toMatchObject({ DefaultValues: { StaticValues: [LATEST_RUN] } });
    expect(parameter(RUN_B_PARAMETER)).toMatchObject({ DefaultValues: { StaticValues: [PREVIOUS_RUN] } });
    const side = (definition.CalculatedFields as Obj[]).find((f) => f.Name === COMPARISON_SIDE_FIELD)!;
    expect(side.Expression).toContain('${RunA}');
    expect(side.Expression).toContain('${RunB}');
    const chosen = filterGroups.find((g) => g.FilterGroupId === 'compare-chosen-group')!;
    expect(inner((chosen.Filters as Obj[])[0])).toMatchObject({
      Column: { ColumnName: COMPARISON_SIDE_FIELD },
      Configuration: { FilterListConfiguration: { MatchOperator: 'DOES_NOT_CONTAIN', CategoryValues: ['not compared'] } },
    });
    // The single-run filters leave this sheet alone.
    for (const g of filterGroups.filter((g) => String(g.FilterGroupId).startsWith('run-')))
      expect(JSON.stringify(g.ScopeConfiguration)).not.toContain('run-comparison');
  });

  test('readable names: labelled columns, no raw ids for models, metrics, data sets or labels', () => {
    const RAW = new Set(['model', 'metric', 'dataset', 'data_source', 'generated_labels', 'reference_labels']);
    walk(sheets, (o, path) => {
      if (typeof o.ColumnName === 'string' && RAW.has(o.ColumnName) && !path.includes('Filter')) throw new Error(`${path} shows raw column ${o.ColumnName}`);
    });
    for (const t of tables(definition)) {
      for (const [fieldId, column] of t.columns) {
        const label = t.options.get(fieldId)?.CustomLabel as string | undefined;
        expect({ table: t.id, column, label: typeof label === 'string' && label !== column && !label.includes('_') }).toEqual({
          table: t.id,
          column,
          label: true,
        });
      }
    }
    // The names come from the report's definition, in the SQL the data sets run.
    for (const name of Object.values(MODEL_NAMES)) expect(sql.get('summary')).toContain(`'${name}'`);
    for (const m of METRIC_NAMES) expect(sql.get('summary')).toContain(`WHEN '${m.metric}' THEN '${m.short}'`);
    expect(sql.get('observations')).toContain("'Pleural Effusion'");
    const words = JSON.stringify(sheets.map((s) => [s.Name, s.Title, s.Description]));
    expect(words).not.toMatch(/chexpert_|baseline-|fine_tuned|_labels/);
  });

  test('the lowest-scoring reports, ranked as the named query ranks them, and the per-observation table', () => {
    const lowest = tables(definition).find((t) => t.id === 'reports-lowest')!;
    expect(lowest.sort[0]).toEqual(['ft_rougelsum', 'ASC']);
    const group = filterGroups.find((g) => g.FilterGroupId === 'reports-lowest-group')!;
    expect(inner((group.Filters as Obj[])[0])).toMatchObject({
      Column: { ColumnName: 'ft_rank' },
      RangeMinimum: { StaticValue: 1 },
      RangeMaximum: { StaticValue: LOWEST_SCORING_LIMIT },
      NullOption: 'NON_NULLS_ONLY',
    });
    const named = namedQueries({ database: 'd', predictions: 'p', summary: 's' }).find((q) => q.name === 'fine-tuned-lowest-scoring-reports')!.sql;
    expect(named).toContain('ORDER BY rougelsum ASC, study_id');
    expect(sql.get('studies')).toContain('ORDER BY s.ft_rougelsum ASC, s.study_id');
    const observations = tables(definition).find((t) => t.id === 'observations-table')!;
    expect([...observations.columns.values()]).toEqual(
      expect.arrayContaining(['observation', 'model_name', 'support', 'asserts', 'misses', 'adds', 'sensitivity', 'precision', 'f1']),
    );
    expect(observations.sort[0]).toEqual(['f1', 'ASC']);
  });

  test('long text has a column width and wraps; every table wraps its cells and headers; layouts fit the grid', () => {
    for (const t of tables(definition)) {
      expect(t.tableOptions).toMatchObject({ CellStyle: { TextWrap: 'WRAP' }, HeaderStyle: { TextWrap: 'WRAP' } });
      for (const [fieldId, column] of t.columns) {
        if (['findings', 'reference', 'pretrained_text', 'fine_tuned_text', 'in_words', 'mean_with_interval'].includes(column)) {
          expect({ table: t.id, column, width: t.options.get(fieldId)?.Width }).toEqual({ table: t.id, column, width: expect.stringMatching(/^\d+px$/) });
        }
      }
    }
    walk(definition.Sheets, (o) => {
      if (typeof o.RowSpan === 'number') expect(o.RowSpan).toBeLessThanOrEqual(MAX_ROW_SPAN);
    });
  });

  test('the verdict sheet states the error threshold, the paired differences in words and the settings', () => {
    const verdict = sheets.find((s) => s.SheetId === 'verdict')!;
    expect(String(verdict.Description)).toContain('no stemmer (as published)');
    expect(JSON.stringify(verdict.TextBoxes)).toContain('1,000 resamples, seed 0');
    expect(sql.get('summary')).toContain(`s.errors > s.count * ${MAX_TRUSTED_ERROR_RATE}`);
    expect(sql.get('paired')).toContain("concat('better by '");
    expect(sql.get('paired')).toContain("'⚠ does not beat it'");
    const ids = (verdict.Visuals as Obj[]).map((v) => inner(v).VisualId);
    expect(ids).toEqual(['verdict-trust', 'verdict-paired', 'verdict-baselines', 'verdict-published']);
  });

  test('box plots of the per-report scores show their outliers', () => {
    const distributions = sheets.find((s) => s.SheetId === 'distributions')!;
    const boxes = (distributions.Visuals as Obj[]).filter((v) => v.BoxPlotVisual !== undefined).map(inner);
    expect(boxes).toHaveLength(4);
    for (const b of boxes) expect((b.ChartConfiguration as Obj).BoxPlotOptions).toMatchObject({ OutlierVisibility: 'VISIBLE' });
  });

  test("each data set's SQL returns the columns it declares and stays within QuickSight's limit", () => {
    const specs = dashboardDataSets({ database: 'd', predictions: 'p', summary: 's' });
    for (const key of DASHBOARD_DATA_SETS) {
      const { sql: text, columns } = specs[key];
      expect(text.length).toBeLessThan(65536);
      // A decimal literal would make Trino divide in decimals and round to its scale (2.0 * 5 / 7 = 1.4).
      expect(text).not.toMatch(/\b\d+\.\d+ \* \S+ \//);
      const select = text.slice(text.lastIndexOf('\nSELECT '));
      for (const c of columns)
        expect({ key, column: c.name, found: new RegExp(`\\b${c.name}\\b`).test(select) || text.includes(`AS ${c.name}`) }).toEqual({
          key,
          column: c.name,
          found: true,
        });
    }
  });
});

test('ClinicianDashboard needs at least one principal', () => {
  const stack = new Stack(testApp(), 'S');
  const dataStore = new DataStore(stack, 'Data');
  const catalog = new ResultsCatalog(stack, 'C', { dataStore, databaseName: 'db' });
  const workGroup = new AthenaWorkgroup(stack, 'W', { dataStore, workGroupName: 'wg', databaseName: 'db' });
  expect(
    () =>
      new ClinicianDashboard(stack, 'Q', {
        principalArns: [],
        dataStore,
        catalog,
        workGroup,
        ids: { dataSource: 'a', dataSets: analyticsNames('x').quicksightDataSetIds, dashboard: 'd' },
      }),
  ).toThrow(/ClinicianDashboard: principalArns must name at least one QuickSight user or group/);
});
