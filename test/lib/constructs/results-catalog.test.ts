import { Stack } from 'aws-cdk-lib';
import { DataStore } from '../../../lib/constructs/data-store';
import { ResultsCatalog } from '../../../lib/constructs/results-catalog';
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
