/**
 * `impressions review readers add|list|remove`: readers are users of the review stack's Cognito
 * pool, invited by e-mail (Cognito sends the invitation with a temporary password; they set a
 * password and an authenticator app at first sign-in), and members of one team's group. A person
 * holds at most one reader slot, so two slots of a review are always two people.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  ListUsersInGroupCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { READER_SLOTS, REVIEW_TEAMS, reviewNames, type ReviewTeam } from '../../core/review/keys';
import { CliError, EXIT } from '../errors';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Checks a `--team` value. */
export function parseTeam(value: string): ReviewTeam {
  if (!(REVIEW_TEAMS as readonly string[]).includes(value)) throw new CliError(`--team ${value}: must be one of ${REVIEW_TEAMS.join(', ')}`);
  return value as ReviewTeam;
}

/** Invites `email` (unless already a user) and adds them to `team`. */
export async function addReader(
  cognito: CognitoIdentityProviderClient,
  args: { userPoolId: string; resourcePrefix: string; email: string; team: ReviewTeam; portalUrl: string; out: NodeJS.WritableStream },
): Promise<'invited' | 'existing'> {
  const email = args.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw new CliError(`--email ${args.email}: not an e-mail address`);
  const names = reviewNames(args.resourcePrefix);
  let state: 'invited' | 'existing' = 'invited';
  try {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: args.userPoolId,
        Username: email,
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'UsernameExistsException')
      throw new CliError(`could not invite ${email}: ${(error as Error).name}: ${(error as Error).message}`, EXIT.failed);
    state = 'existing';
  }
  if ((READER_SLOTS as readonly string[]).includes(args.team)) {
    const groups = await cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: args.userPoolId, Username: email }));
    const slots = (groups.Groups ?? []).map((g) => g.GroupName).filter((g) => READER_SLOTS.some((s) => names.workteam(s) === g && s !== args.team));
    if (slots.length > 0) throw new CliError(`${email} already holds reader slot ${slots.join(', ')}: one person, one slot (remove it first)`);
  }
  await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: args.userPoolId, Username: email, GroupName: names.workteam(args.team) }));
  args.out.write(
    state === 'invited'
      ? `Invited ${email} to ${args.team}: Cognito e-mails a temporary password; at first sign-in at ${args.portalUrl} they choose a password and set up an authenticator app (MFA).\n`
      : `${email} was already a user; added to ${args.team}. They sign in at ${args.portalUrl}.\n`,
  );
  return state;
}

/** Removes `email` from `team` (the account stays; remove it in Cognito to end all access). */
export async function removeReader(
  cognito: CognitoIdentityProviderClient,
  args: { userPoolId: string; resourcePrefix: string; email: string; team: ReviewTeam; out: NodeJS.WritableStream },
): Promise<void> {
  const email = args.email.trim().toLowerCase();
  try {
    await cognito.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: args.userPoolId, Username: email, GroupName: reviewNames(args.resourcePrefix).workteam(args.team) }),
    );
  } catch (error) {
    throw new CliError(`could not remove ${email} from ${args.team}: ${(error as Error).name}`, EXIT.failed);
  }
  args.out.write(`Removed ${email} from ${args.team}; tasks already accepted stay theirs until they expire.\n`);
}

/** Prints each team's members: e-mail, account status, enabled. */
export async function listReaders(
  cognito: CognitoIdentityProviderClient,
  args: { userPoolId: string; resourcePrefix: string; out: NodeJS.WritableStream },
): Promise<number> {
  const names = reviewNames(args.resourcePrefix);
  let total = 0;
  for (const team of REVIEW_TEAMS) {
    const users: string[] = [];
    let token: string | undefined;
    do {
      const page = await cognito.send(new ListUsersInGroupCommand({ UserPoolId: args.userPoolId, GroupName: names.workteam(team), NextToken: token }));
      for (const u of page.Users ?? []) {
        const email = u.Attributes?.find((a) => a.Name === 'email')?.Value ?? u.Username ?? '?';
        users.push(`${email} (${u.UserStatus ?? 'unknown'}${u.Enabled === false ? ', disabled' : ''})`);
      }
      token = page.NextToken;
    } while (token !== undefined);
    total += users.length;
    args.out.write(`${team}: ${users.length === 0 ? 'nobody' : users.join(', ')}\n`);
  }
  return total;
}
