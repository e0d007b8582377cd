import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../lib/app';
import { AthenaWorkgroup } from '../../../lib/constructs/athena-workgroup';
import { ClinicianDashboard } from '../../../lib/constructs/clinician-dashboard';
import { DATASET_MODEL_FIELD } from '../../../lib/constructs/clinician-dashboard-definition';
import { DataStore } from '../../../lib/constructs/data-store';
import { ResultsCatalog } from '../../../lib/constructs/results-catalog';
import { testApp } from '../../helpers/cdk';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

function synthesizedDashboard(): { definition: Obj; dataSetColumns: Map<string, Map<string, string>> } {
  const stacks = buildApp(testApp({ 'impressions:quicksightPrincipalArns': 'arn:aws:quicksight:us-east-1:123456789012:group/default/clinicians' }));
  const template = Template.fromStack(stacks.analytics);
  const dataSets = template.findResources('AWS::QuickSight::DataSet');
  const dashboard = Object.values(template.findResources('AWS::QuickSight::Dashboard'))[0];
  const definition = dashboard.Properties.Definition as Obj;
  // Identifier in the definition → that data set's input columns (name → type).
  const dataSetColumns = new Map<string, Map<string, string>>();
  for (const declaration of definition.DataSetIdentifierDeclarations as Obj[]) {
    const logicalId = ((declaration.DataSetArn as Obj)['Fn::GetAtt'] as string[])[0];
    const dataSet = dataSets[logicalId];
    expect(dataSet).toBeDefined();
    const tables = Object.values(
      dataSet.Properties.PhysicalTableMap as Record<string, { RelationalTable: { InputColumns: { Name: string; Type: string }[] } }>,
    );
    dataSetColumns.set(declaration.Identifier as string, new Map(tables.flatMap((t) => t.RelationalTable.InputColumns.map((c) => [c.Name, c.Type] as const))));
  }
  return { definition, dataSetColumns };
}

function walk(node: Json, visit: (o: Obj, path: string) => void, path = '$'): void {
  if (Array.isArray(node)) node.forEach((child, i) => walk(child, visit, `${path}[${i}]`));
  else if (node !== null && typeof node === 'object') {
    visit(node, path);
    for (const [key, child] of Object.entries(node)) walk(child, visit, `${path}.${key}`);
  }
}

/** Every problem of a definition: unknown data set, unknown column, dangling control, filter or layout element. */
function definitionProblems(definition: Obj, dataSetColumns: Map<string, Map<string, string>>): string[] {
  const problems: string[] = [];
  const calculated = new Map<string, Set<string>>();
  for (const field of (definition.CalculatedFields ?? []) as Obj[]) {
    const dataSet = field.DataSetIdentifier as string;
    if (!dataSetColumns.has(dataSet)) problems.push(`calculated field ${String(field.Name)}: unknown data set ${dataSet}`);
    for (const [, column] of (field.Expression as string).matchAll(/\{([^}]+)\}/g)) {
      if (!dataSetColumns.get(dataSet)?.has(column)) problems.push(`calculated field ${String(field.Name)}: unknown column ${column}`);
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
  });
  const filterIds = new Set<string>();
  const sheetIds = new Set((definition.Sheets as Obj[]).map((s) => s.SheetId as string));
  for (const group of (definition.FilterGroups ?? []) as Obj[]) {
    for (const filter of group.Filters as Obj[]) filterIds.add((Object.values(filter)[0] as Obj).FilterId as string);
    walk(group.ScopeConfiguration, (o) => {
      if (typeof o.SheetId === 'string' && !sheetIds.has(o.SheetId)) problems.push(`filter group ${String(group.FilterGroupId)}: unknown sheet ${o.SheetId}`);
    });
  }
  const ids = new Set<string>();
  for (const sheet of definition.Sheets as Obj[]) {
    const elementIds = new Set<string>();
    for (const visual of (sheet.Visuals ?? []) as Obj[]) elementIds.add((Object.values(visual)[0] as Obj).VisualId as string);
    for (const control of (sheet.FilterControls ?? []) as Obj[]) {
      const c = Object.values(control)[0] as Obj;
      elementIds.add(c.FilterControlId as string);
      if (!filterIds.has(c.SourceFilterId as string))
        problems.push(`sheet ${String(sheet.SheetId)}: control ${String(c.FilterControlId)} points at unknown filter ${String(c.SourceFilterId)}`);
    }
    for (const id of elementIds) {
      if (ids.has(id)) problems.push(`id ${id} used twice`);
      ids.add(id);
    }
    walk(sheet.Layouts ?? [], (o) => {
      if (typeof o.ElementId === 'string' && !elementIds.has(o.ElementId))
        problems.push(`sheet ${String(sheet.SheetId)}: layout element ${o.ElementId} is neither a visual nor a control of the sheet`);
    });
    const laidOut = new Set<string>();
    walk(sheet.Layouts ?? [], (o) => {
      if (typeof o.ElementId === 'string') laidOut.add(o.ElementId);
    });
    for (const id of elementIds) if (!laidOut.has(id)) problems.push(`sheet ${String(sheet.SheetId)}: ${id} is not in the layout`);
  }
  return problems;
}

describe("the clinicians' dashboard definition", () => {
  const { definition, dataSetColumns } = synthesizedDashboard();

  test('every column a visual, filter or calculated field uses exists in its data set; controls and layouts are consistent', () => {
    expect(definitionProblems(definition, dataSetColumns)).toEqual([]);
  });

  test('the check finds a misspelt column, an unknown data set and a dangling control', () => {
    const broken = JSON.parse(JSON.stringify(definition)) as Obj;
    const reports = (broken.Sheets as Obj[])[2];
    const table = (reports.Visuals as Obj[])[0].TableVisual as Obj;
    const firstField = (((table.ChartConfiguration as Obj).FieldWells as Obj).TableUnaggregatedFieldWells as Obj).Values as Obj[];
    (firstField[0].Column as Obj).ColumnName = 'rouge_l';
    (firstField[1].Column as Obj).DataSetIdentifier = 'nope';
    ((reports.FilterControls as Obj[])[0].Dropdown as Obj).SourceFilterId = 'missing';
    expect(definitionProblems(broken, dataSetColumns)).toEqual([
      expect.stringMatching(/data set predictions has no column rouge_l/),
      expect.stringMatching(/unknown data set nope/),
      expect.stringMatching(/points at unknown filter missing/),
    ]);
  });

  test('the comparison sheet shows the agreement rows in their own visual, and keeps them out of the ROUGE visuals', () => {
    const sheet = (definition.Sheets as Obj[])[0];
    const visualIds = (sheet.Visuals as Obj[]).map((v) => (Object.values(v)[0] as Obj).VisualId);
    expect(visualIds).toContain('comparison-agreement');
    const metricScopes = new Map<string, { operator: string; values: Json; visuals: Json }>();
    for (const group of definition.FilterGroups as Obj[]) {
      const filter = (group.Filters as Obj[])[0].CategoryFilter as Obj | undefined;
      if (filter === undefined || (filter.Column as Obj).ColumnName !== 'metric') continue;
      const list = (filter.Configuration as Obj).FilterListConfiguration as Obj;
      const scope = (((group.ScopeConfiguration as Obj).SelectedSheets as Obj).SheetVisualScopingConfigurations as Obj[])[0];
      metricScopes.set(group.FilterGroupId as string, { operator: list.MatchOperator as string, values: list.CategoryValues, visuals: scope.VisualIds });
    }
    const agreement = ['chexpert_micro_f1_13', 'chexpert_macro_f1_14', 'chexpert_micro_f1_14'];
    expect(metricScopes.get('comparison-agreement-metrics-group')).toEqual({ operator: 'CONTAINS', values: agreement, visuals: ['comparison-agreement'] });
    expect(metricScopes.get('comparison-rouge-metrics-group')).toEqual({
      operator: 'DOES_NOT_CONTAIN',
      values: agreement,
      visuals: ['comparison-table', 'comparison-pivot', 'comparison-bars'],
    });
    expect(metricScopes.get('distributions-rouge-metrics-group')).toMatchObject({ operator: 'DOES_NOT_CONTAIN', visuals: ['distribution-figures'] });
  });

  test('the box plots group by data set and model and show the four per-report ROUGE F columns', () => {
    const box = (definition.Sheets as Obj[])[1].Visuals as Obj[];
    const plotted: string[] = [];
    walk(box, (o) => {
      if (o.BoxPlotAggregatedFieldWells !== undefined) {
        const wells = o.BoxPlotAggregatedFieldWells as Obj;
        expect((((wells.GroupBy as Obj[])[0].CategoricalDimensionField as Obj).Column as Obj).ColumnName).toBe(DATASET_MODEL_FIELD);
        for (const value of wells.Values as Obj[]) plotted.push(((value.NumericalMeasureField as Obj).Column as Obj).ColumnName as string);
      }
    });
    expect(plotted).toEqual(['rouge1', 'rouge2', 'rougel', 'rougelsum']);
    expect(dataSetColumns.get('predictions')!.get('rougelsum')).toBe('DECIMAL');
  });

  test('the reports sheet shows findings, generated and reference impressions with run, data set, model and score-range controls', () => {
    const sheet = (definition.Sheets as Obj[])[2];
    const columns: string[] = [];
    walk(sheet.Visuals, (o) => {
      if (typeof o.ColumnName === 'string') columns.push(o.ColumnName);
    });
    expect(columns).toEqual(
      expect.arrayContaining([
        'findings',
        'generated',
        'reference',
        'generated_labels',
        'reference_labels',
        'rouge1',
        'rougelsum',
        'run_id',
        'dataset',
        'model',
      ]),
    );
    expect(dataSetColumns.get('predictions')!.get('generated_labels')).toBe('STRING');
    expect((sheet.FilterControls as Obj[]).map((c) => Object.keys(c)[0])).toEqual(['Dropdown', 'Dropdown', 'Dropdown', 'Slider']);
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
        ids: { dataSource: 'a', predictionsDataSet: 'b', summaryDataSet: 'c', dashboard: 'd' },
      }),
  ).toThrow(/ClinicianDashboard: principalArns must name at least one QuickSight user or group/);
});
