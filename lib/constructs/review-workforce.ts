import { Annotations, CustomResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { REVIEW_TEAMS, type ReviewTeam } from '../core/review/keys';
import { REVIEW_RESOURCE_TYPES, type WorkforceProperties } from '../core/review/review-lambda-contracts';
import { ReviewResourceProvider } from './review-resource-provider';

/** Properties of {@link ReviewWorkforce}. */
export interface ReviewWorkforceProps {
  /** Creates the workforce (custom resource). */
  readonly provider: ReviewResourceProvider;
  /** Name of the private workforce (one per account and region). */
  readonly workforceName: string;
  /** Work team (and Cognito group) name of each team. */
  readonly workteamName: (team: ReviewTeam) => string;
  /** Prefix of the Cognito hosted-UI domain (`https://<prefix>.auth.<region>.amazoncognito.com`), unique in the region. */
  readonly domainPrefix: string;
  /**
   * CIDR ranges readers may work from (at most 10).
   * @default - anywhere (sign-in still needs password and MFA)
   */
  readonly allowedCidrs?: readonly string[];
  /**
   * Delete the user pool (the readers' accounts) on `cdk destroy`.
   * @default false - retained, with deletion protection
   */
  readonly removeOnDestroy?: boolean;
}

/**
 * The readers: a Cognito user pool (no self sign-up: readers are invited by e-mail, `impressions
 * review readers add`; MFA required with an authenticator app; strong passwords; the Plus feature
 * plan with threat protection enforced), its hosted-UI domain and an app client with a secret, a
 * Cognito group and a SageMaker private work team per team (`reader-1`…`reader-3` for evaluation
 * reviews, `feedback`), and the private workforce that ties the pool to SageMaker.
 *
 * One work team per reader slot makes two slots two different people: A2I only keeps the workers
 * of one human loop distinct, and with several workers in one loop it writes nothing until all
 * have answered (https://docs.aws.amazon.com/sagemaker/latest/dg/a2i-delete-human-loop.html), so a
 * reader who never answers would hide everyone's answers.
 *
 * Readers hold no AWS credentials (no identity pool): they see only the tasks A2I gives their team
 * in the worker portal. SageMaker updates the pool and the app client when it creates the workforce
 * and the teams (CreateWorkforce and CreateWorkteam need cognito-idp:UpdateUserPool and
 * UpdateUserPoolClient, https://docs.aws.amazon.com/sagemaker/latest/dg/api-permissions-reference.html):
 * the app client is declared with the fewest properties so that a redeployment does not undo them.
 */
export class ReviewWorkforce extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly userPoolClientId: string;
  /** Work team ARN of each team. */
  public readonly workteamArns: Readonly<Record<ReviewTeam, string>>;
  /** Cognito group name of each team. */
  public readonly groupNames: Readonly<Record<ReviewTeam, string>>;
  /** The worker portal's URL (from the workforce). */
  public readonly portalUrl: string;
  public readonly workforceArn: string;
  /** The work teams (resources that use a team's ARN must depend on them). */
  public readonly workteams: sagemaker.CfnWorkteam[] = [];

  constructor(scope: Construct, id: string, props: ReviewWorkforceProps) {
    super(scope, id);
    const cidrs = props.allowedCidrs ?? [];
    if (cidrs.length > 10) throw new Error(`ReviewWorkforce: at most 10 allowed CIDR ranges, got ${cidrs.length}`);
    const removeReaders = props.removeOnDestroy ?? false;
    if (removeReaders)
      Annotations.of(this).addWarningV2('radiology-impressions:removeReaders', "cdk destroy deletes the readers' user pool and their accounts.");

    this.userPool = new cognito.UserPool(this, 'Readers', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(7),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: !removeReaders,
      removalPolicy: removeReaders ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    const domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });
    // L1 with only what SageMaker needs (a secret): SageMaker sets the OAuth settings itself.
    const client = new cognito.CfnUserPoolClient(this, 'PortalClient', {
      userPoolId: this.userPool.userPoolId,
      generateSecret: true,
      preventUserExistenceErrors: 'ENABLED',
      enableTokenRevocation: true,
    });
    this.userPoolClientId = client.ref;

    const workforce = new CustomResource(this, 'Workforce', {
      serviceToken: props.provider.serviceToken,
      resourceType: REVIEW_RESOURCE_TYPES.workforce,
      properties: {
        WorkforceName: props.workforceName,
        UserPoolId: this.userPool.userPoolId,
        ClientId: client.ref,
        Cidrs: [...cidrs],
      } satisfies Record<keyof WorkforceProperties, unknown>,
    });
    // SageMaker requires the pool's domain before it creates the workforce.
    workforce.node.addDependency(domain);
    this.portalUrl = workforce.getAttString('PortalUrl');
    this.workforceArn = workforce.getAttString('WorkforceArn');

    const stack = Stack.of(this);
    const poolArn = this.userPool.userPoolArn;
    props.provider.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ManageReviewWorkforce',
        actions: ['sagemaker:CreateWorkforce', 'sagemaker:UpdateWorkforce', 'sagemaker:DeleteWorkforce', 'sagemaker:DescribeWorkforce'],
        resources: [stack.formatArn({ service: 'sagemaker', resource: 'workforce', resourceName: props.workforceName })],
      }),
    );
    props.provider.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'FindTheRegionsWorkforce',
        // ListWorkforces supports no resource-level permission; it tells whether the region already has one.
        actions: ['sagemaker:ListWorkforces'],
        resources: ['*'],
      }),
    );
    props.provider.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'LetSageMakerConfigureTheReadersPool',
        // What CreateWorkforce needs of its caller (SageMaker API permissions reference).
        actions: ['cognito-idp:DescribeUserPool', 'cognito-idp:DescribeUserPoolClient', 'cognito-idp:UpdateUserPool', 'cognito-idp:UpdateUserPoolClient'],
        resources: [poolArn],
      }),
    );

    const arns = {} as Record<ReviewTeam, string>;
    const groups = {} as Record<ReviewTeam, string>;
    for (const team of REVIEW_TEAMS) {
      const name = props.workteamName(team);
      const group = new cognito.CfnUserPoolGroup(this, `Group-${team}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: name,
        description: team === 'feedback' ? 'Radiologists who accept or correct draft impressions' : `Evaluation reviews: reader slot ${team}`,
      });
      const workteam = new sagemaker.CfnWorkteam(this, `Workteam-${team}`, {
        workteamName: name,
        workforceName: workforce.getAttString('WorkforceName'),
        description: team === 'feedback' ? 'radiology-impressions feedback review' : `radiology-impressions evaluation review, ${team}`,
        memberDefinitions: [
          { cognitoMemberDefinition: { cognitoUserPool: this.userPool.userPoolId, cognitoClientId: client.ref, cognitoUserGroup: group.ref } },
        ],
      });
      // The ARN SageMaker gives a private team (API permissions reference: workteam/private-crowd/<name>); the
      // registry schema offers no ARN attribute (GetAtt: WorkteamName, Id), and users of the ARN must wait for the team.
      arns[team] = stack.formatArn({ service: 'sagemaker', resource: 'workteam', resourceName: `private-crowd/${name}` });
      this.workteams.push(workteam);
      groups[team] = name;
    }
    this.workteamArns = arns;
    this.groupNames = groups;

    if (!Token.isUnresolved(props.domainPrefix) && !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(props.domainPrefix)) {
      throw new Error(`ReviewWorkforce: domainPrefix ${JSON.stringify(props.domainPrefix)} is not a valid Cognito domain prefix`);
    }
    props.provider.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'sagemaker:ListWorkforces supports no resource-level permission (it finds the one workforce of the region); X-Ray likewise. Everything else names its resource.',
    });
  }
}
