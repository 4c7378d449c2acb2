// The reference client's own reference tables (client/ref_test.go of
// github.com/apptainer/container-library-client v1.2.2, as Debian ships it, = sylabs/scs-library-client's),
// ported row for row: TestParse (raw → host, path, tags or the error) and TestString (parts → text).
// The interop suite also feeds every row to the Go client itself (test/libclient) and compares.
import { describe, expect, it } from 'vitest';
import { formatLibraryRef, isImageHash, isLibraryPullRef, isLibraryPushRef, normalizeLibraryRef, parseLibraryRef, pullFileName } from '../../src/clients/library-ref.js';
import { PARSE_TABLE } from '../helpers/library-ref-table.js';

const STRING_TABLE: [string, string, string, string[] | undefined, string][] = [
  ['AbbreviatedPath', '', 'project', undefined, 'library:project'],
  ['AbbreviatedPathAndTag', '', 'project', ['tag'], 'library:project:tag'],
  ['AbbreviatedPathAndSlash', '', '/project', undefined, 'library:///project'],
  ['AbbreviatedPathAndSlashAndTag', '', '/project', ['tag'], 'library:///project:tag'],
  ['AbbreviatedPathAndHost', 'host', '/project', undefined, 'library://host/project'],
  ['AbbreviatedPathAndHostAndTag', 'host', '/project', ['tag'], 'library://host/project:tag'],
  ['AbbreviatedPathAndHostPort', 'host:443', '/project', undefined, 'library://host:443/project'],
  ['AbbreviatedPathAndHostPortAndTag', 'host:443', '/project', ['tag'], 'library://host:443/project:tag'],
  ['Path', '', 'entity/project', undefined, 'library:entity/project'],
  ['PathAndTag', '', 'entity/project', ['tag'], 'library:entity/project:tag'],
  ['PathAndSlash', '', '/entity/project', undefined, 'library:///entity/project'],
  ['PathAndSlashAndTag', '', '/entity/project', ['tag'], 'library:///entity/project:tag'],
  ['PathAndHost', 'host', '/entity/project', undefined, 'library://host/entity/project'],
  ['PathAndHostAndTag', 'host', '/entity/project', ['tag'], 'library://host/entity/project:tag'],
  ['PathAndHostPort', 'host:443', '/entity/project', undefined, 'library://host:443/entity/project'],
  ['PathAndHostPortAndTag', 'host:443', '/entity/project', ['tag'], 'library://host:443/entity/project:tag'],
  ['LegacyPath', '', 'entity/collection/container', undefined, 'library:entity/collection/container'],
  ['LegacyPathAndTag', '', 'entity/collection/container', ['tag'], 'library:entity/collection/container:tag'],
  ['LegacyPathAndSlash', '', '/entity/collection/container', undefined, 'library:///entity/collection/container'],
  ['LegacyPathAndSlashAndTag', '', '/entity/collection/container', ['tag'], 'library:///entity/collection/container:tag'],
  ['LegacyPathAndHost', 'host', '/entity/collection/container', undefined, 'library://host/entity/collection/container'],
  ['LegacyPathAndHostAndTag', 'host', '/entity/collection/container', ['tag'], 'library://host/entity/collection/container:tag'],
  ['LegacyPathAndHostPort', 'host:443', '/entity/collection/container', undefined, 'library://host:443/entity/collection/container'],
  ['LegacyPathAndHostPortAndTag', 'host:443', '/entity/collection/container', ['tag'], 'library://host:443/entity/collection/container:tag'],
  ['TagsNone', '', 'project', undefined, 'library:project'],
  ['TagsOne', '', 'project', ['tag1'], 'library:project:tag1'],
  ['TagsTwo', '', 'project', ['tag1', 'tag2'], 'library:project:tag1,tag2'],
  ['TagsThree', '', 'project', ['tag1', 'tag2', 'tag3'], 'library:project:tag1,tag2,tag3'],
  ['IPv4Host', '127.0.0.1', '/project', undefined, 'library://127.0.0.1/project'],
  ['IPv4HostPort', '127.0.0.1:443', '/project', undefined, 'library://127.0.0.1:443/project'],
  ['IPv6Host', '[fe80::1ff:fe23:4567:890a]', '/project', undefined, 'library://[fe80::1ff:fe23:4567:890a]/project'],
  ['IPv6HostPort', '[fe80::1ff:fe23:4567:890a]:443', '/project', undefined, 'library://[fe80::1ff:fe23:4567:890a]:443/project'],
  ['IPv6HostZone', '[fe80::1ff:fe23:4567:890a%eth1]', '/project', undefined, 'library://[fe80::1ff:fe23:4567:890a%25eth1]/project'],
  ['IPv6HostZonePort', '[fe80::1ff:fe23:4567:890a%eth1]:443', '/project', undefined, 'library://[fe80::1ff:fe23:4567:890a%25eth1]:443/project'],
];

const MESSAGES: Record<string, string> = {
  PATH: 'library: ref path not valid',
  TAGS: 'library: ref tags not valid',
  SCHEME: 'library: ref scheme not valid',
  USER: 'library: user not permitted in ref',
  QUERY: 'library: query not permitted in ref',
  FRAGMENT: 'library: fragment not permitted in ref',
};

describe('parseLibraryRef: the reference TestParse table', () => {
  it.each(PARSE_TABLE)('%s: %j', (_name, raw, err, host, path, tags) => {
    if (err === null) {
      const r = parseLibraryRef(raw);
      expect(r).toEqual(tags === undefined ? { host, path } : { host, path, tags });
      return;
    }
    let thrown: unknown;
    try {
      parseLibraryRef(raw);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'INVALID_REFERENCE' });
    if (err !== 'any') expect((thrown as Error).message.startsWith(MESSAGES[err]!)).toBe(true);
  });
});

describe('formatLibraryRef: the reference TestString table', () => {
  it.each(STRING_TABLE)('%s', (_name, host, path, tags, want) => {
    expect(formatLibraryRef(tags === undefined ? { host, path } : { host, path, tags })).toBe(want);
  });
});

describe('singularity’s reading of a reference', () => {
  it.each([
    ['library://alpine', { host: '', path: 'alpine', tags: ['latest'] }],
    ['library://e/c/ct', { host: '', path: 'e/c/ct', tags: ['latest'] }],
    ['library://e/c/ct:1.0,stable', { host: '', path: 'e/c/ct', tags: ['1.0', 'stable'] }],
    ['library://host:8080/e/c/ct:v2', { host: 'host:8080', path: 'e/c/ct', tags: ['v2'] }],
    ['e/c/ct:v2', { host: '', path: 'e/c/ct', tags: ['v2'] }],
    ['library:alpine', { host: '', path: 'alpine', tags: ['latest'] }],
  ])('%s', (ref, want) => {
    expect(normalizeLibraryRef(ref)).toEqual(want);
  });
  it('default file names are <container>_<first tag>.sif', () => {
    expect(pullFileName('library://alpine')).toBe('alpine_latest.sif');
    expect(pullFileName('library://e/c/ct:1.0,stable')).toBe('ct_1.0.sif');
  });
  it('pull and push reference patterns and image hashes', () => {
    expect(isLibraryPullRef('library://e/c/ct:tag')).toBe(true);
    expect(isLibraryPullRef('library://E/c/ct')).toBe(false);
    expect(isLibraryPushRef('library://e/c/ct:a,b')).toBe(true);
    expect(isLibraryPushRef('library://c/ct')).toBe(false);
    expect(isImageHash(`sha256.${'a'.repeat(64)}`)).toBe(true);
    expect(isImageHash('sif.01234567-89ab-cdef-0123-456789abcdef')).toBe(true);
    expect(isImageHash('sha256.xyz')).toBe(false);
  });
});
