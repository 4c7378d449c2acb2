// The reference client's own reference tables (client/ref_test.go of
// github.com/apptainer/container-library-client v1.2.2, as Debian ships it, = sylabs/scs-library-client's),
// ported row for row: TestParse (raw → host, path, tags or the error) and TestString (parts → text).
// The interop suite also feeds every row to the Go client itself (test/libclient) and compares.
import { describe, expect, it } from 'vitest';
import { formatLibraryRef, isImageHash, isLibraryPullRef, isLibraryPushRef, normalizeLibraryRef, parseLibraryRef, pullFileName, type LibraryRefProblem } from '../../src/clients/library-ref.js';

type Want = LibraryRefProblem | 'any' | null;
/** [name, raw, error, host, path, tags] */
export const PARSE_TABLE: [string, string, Want, string, string, string[] | undefined][] = [
  ['InvalidURL', ':', 'any', '', '', undefined],
  ['NoName', 'library:', 'PATH', '', '', undefined],
  ['NoNameAndTag', 'library::tag', 'PATH', '', '', undefined],
  ['NoNameAndSlash', 'library:/', 'PATH', '', '', undefined],
  ['NoNameAndSlashAndTag', 'library:/:tag', 'PATH', '', '', undefined],
  ['NoNameAndSlashes', 'library:///', 'PATH', '', '', undefined],
  ['NoNameAndSlashesAndTag', 'library:///:tag', 'PATH', '', '', undefined],
  ['NoNameAndHost', 'library://host', 'PATH', '', '', undefined],
  ['NoNameAndHostSlash', 'library://host/', 'PATH', '', '', undefined],
  ['NoNameAndHostSlashAndTag', 'library://host/:tag', 'PATH', '', '', undefined],
  ['NoNameAndHostPort', 'library://host:443', 'PATH', '', '', undefined],
  ['NoNameAndHostPortSlash', 'library://host:443/', 'PATH', '', '', undefined],
  ['NoNameAndHostPortSlashAndTag', 'library://host:443/:tag', 'PATH', '', '', undefined],
  ['NoScheme', '', 'SCHEME', '', '', undefined],
  ['NoSchemeSlash', '/', 'SCHEME', '', '', undefined],
  ['NoSchemeSlashAndTag', '/:tag', 'SCHEME', '', '', undefined],
  ['NoSchemeSlashes', '///', 'SCHEME', '', '', undefined],
  ['NoSchemeSlashesAndTag', '///:tag', 'SCHEME', '', '', undefined],
  ['NoSchemeAndHost', '//host/', 'SCHEME', '', '', undefined],
  ['NoSchemeAndHostAndTag', '//host/:tag', 'SCHEME', '', '', undefined],
  ['NoSchemeAndHostPort', '//host:443/', 'SCHEME', '', '', undefined],
  ['NoSchemeAndHostPortAndTag', '//host:443/:tag', 'SCHEME', '', '', undefined],
  ['BadScheme', 'bad:project', 'SCHEME', '', '', undefined],
  ['BadSchemeAndTag', 'bad:project:tag', 'SCHEME', '', '', undefined],
  ['BadSchemeAndSlash', 'bad:/project', 'SCHEME', '', '', undefined],
  ['BadSchemeAndSlashAndTag', 'bad:/project:tag', 'SCHEME', '', '', undefined],
  ['BadSchemeAndSlashes', 'bad:///project', 'SCHEME', '', '', undefined],
  ['BadSchemeAndSlashesAndTag', 'bad:///project:tag', 'SCHEME', '', '', undefined],
  ['BadSchemeAndHost', 'bad://host/project', 'SCHEME', '', '', undefined],
  ['BadSchemeAndHostAndTag', 'bad://host/project:tag', 'SCHEME', '', '', undefined],
  ['BadSchemeAndHostPort', 'bad://host:443/project', 'SCHEME', '', '', undefined],
  ['BadSchemeAndHostPortAndTag', 'bad://host:443/project:tag', 'SCHEME', '', '', undefined],
  ['UserAndHost', 'library://user@host/project', 'USER', '', '', undefined],
  ['UserAndHostAndTag', 'library://user@host/project:tag', 'USER', '', '', undefined],
  ['UserAndHostPort', 'library://user@host:443/project', 'USER', '', '', undefined],
  ['UserAndHostPortAndTag', 'library://user@host:443/project:tag', 'USER', '', '', undefined],
  ['Query', 'library:project?query', 'QUERY', '', '', undefined],
  ['QueryAndTag', 'library:project:tag?query', 'QUERY', '', '', undefined],
  ['QueryAndSlash', 'library:/project?query', 'QUERY', '', '', undefined],
  ['QueryAndSlashAndTag', 'library:/project:tag?query', 'QUERY', '', '', undefined],
  ['QueryAndSlashes', 'library:///project?query', 'QUERY', '', '', undefined],
  ['QueryAndSlashesAndTag', 'library:///project:tag?query', 'QUERY', '', '', undefined],
  ['QueryAndHost', 'library://host/project?query', 'QUERY', '', '', undefined],
  ['QueryAndHostAndTag', 'library://host/project:tag?query', 'QUERY', '', '', undefined],
  ['QueryAndHostPort', 'library://host:443/project?query', 'QUERY', '', '', undefined],
  ['QueryAndHostPortAndTag', 'library://host:443/project:tag?query', 'QUERY', '', '', undefined],
  ['Fragment', 'library:project#fragment', 'FRAGMENT', '', '', undefined],
  ['FragmentAndTag', 'library:project:tag#fragment', 'FRAGMENT', '', '', undefined],
  ['FragmentAndSlash', 'library:/project#fragment', 'FRAGMENT', '', '', undefined],
  ['FragmentAndSlashAndTag', 'library:/project:tag#fragment', 'FRAGMENT', '', '', undefined],
  ['FragmentAndSlashes', 'library:///project#fragment', 'FRAGMENT', '', '', undefined],
  ['FragmentAndSlashesAndTag', 'library:///project:tag#fragment', 'FRAGMENT', '', '', undefined],
  ['FragmentAndHost', 'library://host/project#fragment', 'FRAGMENT', '', '', undefined],
  ['FragmentAndHostAndTag', 'library://host/project:tag#fragment', 'FRAGMENT', '', '', undefined],
  ['FragmentAndHostPort', 'library://host:443/project#fragment', 'FRAGMENT', '', '', undefined],
  ['FragmentAndHostPortAndTag', 'library://host:443/project:tag#fragment', 'FRAGMENT', '', '', undefined],
  ['TrailingSemicolon', 'library:project:', 'TAGS', '', '', undefined],
  ['TrailingSemicolonAndSlash', 'library:/project:', 'TAGS', '', '', undefined],
  ['TrailingSemicolonAndSlashes', 'library:///project:', 'TAGS', '', '', undefined],
  ['TrailingSemicolonAndHost', 'library://host/project:', 'TAGS', '', '', undefined],
  ['TrailingSemicolonAndHostPort', 'library://host:443/project:', 'TAGS', '', '', undefined],
  ['ExtraSemicolon', 'library:project:tag:extra', 'PATH', '', '', undefined],
  ['ExtraSemicolonAndSlash', 'library:/project:tag:extra', 'PATH', '', '', undefined],
  ['ExtraSemicolonAndSlashes', 'library:///project:tag:extra', 'PATH', '', '', undefined],
  ['ExtraSemicolonAndHost', 'library://host/project:tag:extra', 'PATH', '', '', undefined],
  ['ExtraSemicolonAhdHostPort', 'library://host:443/project:tag:extra', 'PATH', '', '', undefined],
  ['AbbreviatedPath', 'library:project', null, '', 'project', undefined],
  ['AbbreviatedPathAndTag', 'library:project:tag', null, '', 'project', ['tag']],
  ['AbbreviatedPathAndSlash', 'library:/project', null, '', '/project', undefined],
  ['AbbreviatedPathAndSlashAndTag', 'library:/project:tag', null, '', '/project', ['tag']],
  ['AbbreviatedPathAndSlashes', 'library:///project', null, '', '/project', undefined],
  ['AbbreviatedPathAndSlashesAndTag', 'library:///project:tag', null, '', '/project', ['tag']],
  ['AbbreviatedPathAndHost', 'library://host/project', null, 'host', '/project', undefined],
  ['AbbreviatedPathAndHostAndTag', 'library://host/project:tag', null, 'host', '/project', ['tag']],
  ['AbbreviatedPathAndHostPort', 'library://host:443/project', null, 'host:443', '/project', undefined],
  ['AbbreviatedPathAndHostPortAndTag', 'library://host:443/project:tag', null, 'host:443', '/project', ['tag']],
  ['Path', 'library:entity/project', null, '', 'entity/project', undefined],
  ['PathAndTag', 'library:entity/project:tag', null, '', 'entity/project', ['tag']],
  ['PathAndSlash', 'library:/entity/project', null, '', '/entity/project', undefined],
  ['PathAndSlashAndTag', 'library:/entity/project:tag', null, '', '/entity/project', ['tag']],
  ['PathAndSlashes', 'library:///entity/project', null, '', '/entity/project', undefined],
  ['PathAndSlashesAndTag', 'library:///entity/project:tag', null, '', '/entity/project', ['tag']],
  ['PathAndHost', 'library://host/entity/project', null, 'host', '/entity/project', undefined],
  ['PathAndHostAndTag', 'library://host/entity/project:tag', null, 'host', '/entity/project', ['tag']],
  ['PathAndHostPort', 'library://host:443/entity/project', null, 'host:443', '/entity/project', undefined],
  ['PathAndHostPortAndTag', 'library://host:443/entity/project:tag', null, 'host:443', '/entity/project', ['tag']],
  ['LegacyPath', 'library:entity/collection/container', null, '', 'entity/collection/container', undefined],
  ['LegacyPathAndTag', 'library:entity/collection/container:tag', null, '', 'entity/collection/container', ['tag']],
  ['LegacyPathAndSlash', 'library:/entity/collection/container', null, '', '/entity/collection/container', undefined],
  ['LegacyPathAndSlashAndTag', 'library:/entity/collection/container:tag', null, '', '/entity/collection/container', ['tag']],
  ['LegacyPathAndSlashes', 'library:///entity/collection/container', null, '', '/entity/collection/container', undefined],
  ['LegacyPathAndSlashesAndTag', 'library:///entity/collection/container:tag', null, '', '/entity/collection/container', ['tag']],
  ['LegacyPathAndHost', 'library://host/entity/collection/container', null, 'host', '/entity/collection/container', undefined],
  ['LegacyPathAndHostAndTag', 'library://host/entity/collection/container:tag', null, 'host', '/entity/collection/container', ['tag']],
  ['LegacyPathAndHostPort', 'library://host:443/entity/collection/container', null, 'host:443', '/entity/collection/container', undefined],
  ['LegacyPathAndHostPortAndTag', 'library://host:443/entity/collection/container:tag', null, 'host:443', '/entity/collection/container', ['tag']],
  ['TagsNone', 'library:project', null, '', 'project', undefined],
  ['TagsOne', 'library:project:tag1', null, '', 'project', ['tag1']],
  ['TagsTwo', 'library:project:tag1,tag2', null, '', 'project', ['tag1', 'tag2']],
  ['TagsThree', 'library:project:tag1,tag2,tag3', null, '', 'project', ['tag1', 'tag2', 'tag3']],
  ['IPv4Host', 'library://127.0.0.1/project', null, '127.0.0.1', '/project', undefined],
  ['IPv4HostPort', 'library://127.0.0.1:443/project', null, '127.0.0.1:443', '/project', undefined],
  ['IPv6Host', 'library://[fe80::1ff:fe23:4567:890a]/project', null, '[fe80::1ff:fe23:4567:890a]', '/project', undefined],
  ['IPv6HostPort', 'library://[fe80::1ff:fe23:4567:890a]:443/project', null, '[fe80::1ff:fe23:4567:890a]:443', '/project', undefined],
  ['IPv6HostZone', 'library://[fe80::1ff:fe23:4567:890a%25eth1]/project', null, '[fe80::1ff:fe23:4567:890a%eth1]', '/project', undefined],
  ['IPv6HostZonePort', 'library://[fe80::1ff:fe23:4567:890a%25eth1]:443/project', null, '[fe80::1ff:fe23:4567:890a%eth1]:443', '/project', undefined],
];

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
