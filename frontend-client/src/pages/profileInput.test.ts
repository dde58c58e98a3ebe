import { describe, expect, it } from 'vitest';
import { profileChanges, type ProfileFormValues } from './profileInput';

const loaded: ProfileFormValues = {
  displayName: 'Ada',
  firstName: 'Ada',
  lastName: 'Lovelace',
  shortIntro: 'Reads everything.',
  bio: '',
  website: 'https://ada.example.com',
  links: ['https://a.example.com', 'https://b.example.com'],
};

describe('profileChanges', () => {
  it('omits untouched fields', () => {
    expect(profileChanges(loaded, { ...loaded, links: [...loaded.links, '  '] })).toEqual({});
  });

  it('sends an emptied field as null, which clears it', () => {
    expect(profileChanges(loaded, { ...loaded, shortIntro: '   ', website: '' })).toEqual({ shortIntro: null, website: null });
    expect(profileChanges(loaded, { ...loaded, links: ['', ' '] })).toEqual({ links: null });
    expect(profileChanges(loaded, { ...loaded, links: [] })).toEqual({ links: null });
  });

  it('sends changed text, and changed links as shown so indexes match the inputs', () => {
    expect(profileChanges(loaded, { ...loaded, bio: 'Hello', links: ['', 'https://b.example.com', 'nope'] })).toEqual({
      bio: 'Hello',
      links: ['', 'https://b.example.com', 'nope'],
    });
  });
});
