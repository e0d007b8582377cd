/**
 * CDK entry: reads the configuration, builds the stacks and registers the cdk-nag packs.
 */
import * as os from 'node:os';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { buildApp } from '../lib/app';
import { ConfigError } from '../lib/config';
import { contextSourceOf, readContextFiles } from '../lib/context-sources';

const app = new App();
try {
  // The CDK CLI runs the app in the folder of cdk.json; its files tell where each setting came from.
  const files = readContextFiles(process.cwd(), os.homedir());
  buildApp(app, (key) => contextSourceOf(files, key, app.node.tryGetContext(key)));
} catch (error) {
  // A bad setting is the operator's to fix: print what is wrong, not a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
app.synth();
