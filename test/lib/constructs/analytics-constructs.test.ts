import { Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AthenaWorkgroup } from '../../../lib/constructs/athena-workgroup';
import { ClinicianDashboard } from '../../../lib/constructs/clinician-dashboard';
import { DataStore } from '../../../lib/constructs/data-store';
import { ResultsCatalog } from '../../../lib/constructs/results-catalog';
import { analyticsNames } from '../../../lib/core/deployment';
import { testApp } from '../../helpers/cdk';

function fixture() {
  const stack = new Stack(testApp(), 'S');
  const dataStore = new DataStore(stack, 'Data');
  return { stack, dataStore };
}

test('ResultsCatalog refuses a database name Athena cannot query unquoted', () => {
  const { stack, dataStore } = fixture();
  expect(() => new ResultsCatalog(stack, 'C', { dataStore, databaseName: 'my-results' })).toThrow(
    /ResultsCatalog: databaseName "my-results" must be 1-255 lower-case letters, digits or underscores/,
  );
});

test("AthenaWorkgroup takes a custom scan limit and refuses one below Athena's 10 MB minimum", () => {
  const { stack, dataStore } = fixture();
  new AthenaWorkgroup(stack, 'W', { dataStore, workGroupName: 'wg', databaseName: 'db', bytesScannedCutoffPerQuery: Size.gibibytes(1) });
  Template.fromStack(stack).hasResourceProperties('AWS::Athena::WorkGroup', { WorkGroupConfiguration: { BytesScannedCutoffPerQuery: 1024 ** 3 } });
  expect(
    () => new AthenaWorkgroup(stack, 'W2', { dataStore, workGroupName: 'wg2', databaseName: 'db', bytesScannedCutoffPerQuery: Size.mebibytes(5) }),
  ).toThrow(/AthenaWorkgroup: bytesScannedCutoffPerQuery must be at least 10 MB, got 5242880 bytes/);
});

test('ClinicianDashboard needs at least one principal', () => {
  const { stack, dataStore } = fixture();
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
