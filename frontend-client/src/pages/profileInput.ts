import type { ProfileFieldsFragment, ProfileInput } from '../gql/graphql';

export const PROFILE_TEXT_FIELDS = ['displayName', 'firstName', 'lastName', 'shortIntro', 'bio', 'website'] as const;

/** What the profile form holds: the text fields and one input per link. */
export type ProfileFormValues = Pick<ProfileFieldsFragment, (typeof PROFILE_TEXT_FIELDS)[number] | 'links'>;

export function profileFormValues(profile: ProfileFieldsFragment): ProfileFormValues {
  const values = { links: [...profile.links] } as ProfileFormValues;
  for (const name of PROFILE_TEXT_FIELDS) values[name] = profile[name];
  return values;
}

/**
 * The `updateProfile` input for what the user changed since the form was filled from
 * `loaded`. The server leaves an omitted field as it is and clears one sent as null, so an
 * untouched field is omitted (a change made meanwhile on another device stays) and an emptied
 * one is sent as null. Changed links are sent as shown, blank inputs included (the server
 * drops them), so that an error about `links[2]` is about the third input on screen.
 */
export function profileChanges(loaded: ProfileFormValues, form: ProfileFormValues): ProfileInput {
  const input: ProfileInput = {};
  for (const name of PROFILE_TEXT_FIELDS) {
    const value = form[name].trim();
    if (value === loaded[name].trim()) continue;
    input[name] = value === '' ? null : form[name];
  }
  const links = form.links.map((link) => link.trim()).filter(Boolean);
  const before = loaded.links.map((link) => link.trim()).filter(Boolean);
  if (links.length !== before.length || links.some((link, index) => link !== before[index])) {
    input.links = links.length === 0 ? null : [...form.links];
  }
  return input;
}
