import { Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AthenaWorkgroup } from '../../../lib/constructs/athena-workgroup';
import { DataStore } from '../../../lib/constructs/data-store';
import { testApp } from '../../helpers/cdk';

function fixture() {
  const stack = new Stack(testApp(), 'S');
  const dataStore = new DataStore(stack, 'Data');
  return { stack, dataStore };
}

test("AthenaWorkgroup takes a custom scan limit and refuses one below Athena's 10 MB minimum", () => {
  const { stack, dataStore } = fixture();
  new AthenaWorkgroup(stack, 'W', { dataStore, workGroupName: 'wg', databaseName: 'db', bytesScannedCutoffPerQuery: Size.gibibytes(1) });
  Template.fromStack(stack).hasResourceProperties('AWS::Athena::WorkGroup', { WorkGroupConfiguration: { BytesScannedCutoffPerQuery: 1024 ** 3 } });
  expect(
    () => new AthenaWorkgroup(stack, 'W2', { dataStore, workGroupName: 'wg2', databaseName: 'db', bytesScannedCutoffPerQuery: Size.mebibytes(5) }),
  ).toThrow(/AthenaWorkgroup: bytesScannedCutoffPerQuery must be at least 10 MB, got 5242880 bytes/);
});
