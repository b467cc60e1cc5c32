# ruff: noqa: E501  (real scripts, kept on one line each as written)
"""A hand-labelled sample of real RUN scripts (trimmed from the official images in
../shared/corpus/dockerfiles, the corpus bench/ measures): for each, the commands (assignments,
words after quote removal, redirections) and pipelines as bash runs them, written out and
checked by hand, so a parser change that moves any of them fails here by name."""

from __future__ import annotations

import pytest

from hullcheck.inputs import shell

Command = tuple[list[str], list[str], list[tuple[str, str]]]

# name: (script, commands, pipelines by program name)
SAMPLES: dict[str, tuple[str, list[Command], list[list[str]]]] = {
    # redis/7.0/debian (trimmed): case arms, $(... | awk), gpg in a subshell-free list, pipe to sha256sum
    'redis-gosu': (
        'set -eux; savedAptMark="$(apt-mark showmanual)"; apt-get update; arch="$(dpkg --print-architecture | awk -F- \'{ print $NF }\')"; case "$arch" in \'amd64\') url=\'https://x/gosu-amd64\'; sha256=\'bbc4\' ;; *) echo >&2 "error: unsupported architecture: \'$arch\'"; exit 1 ;; esac; wget -O /usr/local/bin/gosu "$url"; echo "$sha256 */usr/local/bin/gosu" | sha256sum -c -; chmod +x /usr/local/bin/gosu',
        [
            ([], ['set', '-eux'], []),
            (['savedAptMark=$(apt-mark showmanual)'], [], []),
            ([], ['apt-mark', 'showmanual'], []),
            ([], ['apt-get', 'update'], []),
            (["arch=$(dpkg --print-architecture | awk -F- '{ print $NF }')"], [], []),
            ([], ['dpkg', '--print-architecture'], []),
            ([], ['awk', '-F-', '{ print $NF }'], []),
            (['url=https://x/gosu-amd64'], [], []),
            (['sha256=bbc4'], [], []),
            ([], ['echo', "error: unsupported architecture: '$arch'"], []),
            ([], ['exit', '1'], []),
            ([], ['wget', '-O', '/usr/local/bin/gosu', '$url'], []),
            ([], ['echo', '$sha256 */usr/local/bin/gosu'], []),
            ([], ['sha256sum', '-c', '-'], []),
            ([], ['chmod', '+x', '/usr/local/bin/gosu'], []),
        ],
        [['dpkg', 'awk'], ['echo', 'sha256sum']],
    ),
    # docker-node (trimmed): the yarn install's find | awk | ... pipeline after a redirected group
    'node-yarn': (
        'set -ex && apt-mark auto \'.*\' > /dev/null && { [ -z "$savedAptMark" ] || apt-mark manual $savedAptMark > /dev/null; } && find /usr/local -type f -executable -exec ldd \'{}\' \';\' | awk \'/=>/ { print so }\' | sort -u | xargs -r apt-mark manual && apt-get purge -y --auto-remove && yarn --version',
        [
            ([], ['set', '-ex'], []),
            ([], ['apt-mark', 'auto', '.*'], [('>', '/dev/null')]),
            ([], ['[', '-z', '$savedAptMark', ']'], []),
            ([], ['apt-mark', 'manual', '$savedAptMark'], [('>', '/dev/null')]),
            ([], ['find', '/usr/local', '-type', 'f', '-executable', '-exec', 'ldd', '{}', ';'], []),
            ([], ['awk', '/=>/ { print so }'], []),
            ([], ['sort', '-u'], []),
            ([], ['xargs', '-r', 'apt-mark', 'manual'], []),
            ([], ['apt-get', 'purge', '-y', '--auto-remove'], []),
            ([], ['yarn', '--version'], []),
        ],
        [['find', 'awk', 'sort', 'xargs']],
    ),
    # docker-nginx (trimmed): for/if/elif, backslashes kept inside double quotes, $(... | xargs)
    'nginx-modules': (
        'for module in $ENABLED_MODULES; do if [ -f /modules/$module/build-deps ]; then apt-get install -y $(cat /modules/$module/build-deps | xargs); elif make -C /pkg-oss/debian list | grep -P "^$module\\s+\\d" > /dev/null; then find ../../ -name "*.deb" -exec mv -v {} /tmp/packages/ \\;; fi; done && echo "BUILT_MODULES=\\"$BUILT_MODULES\\"" > /tmp/packages/modules.env',
        [
            ([], ['[', '-f', '/modules/$module/build-deps', ']'], []),
            ([], ['apt-get', 'install', '-y', '$(cat /modules/$module/build-deps | xargs)'], []),
            ([], ['cat', '/modules/$module/build-deps'], []),
            ([], ['xargs'], []),
            ([], ['make', '-C', '/pkg-oss/debian', 'list'], []),
            ([], ['grep', '-P', '^$module\\s+\\d'], [('>', '/dev/null')]),
            ([], ['find', '../../', '-name', '*.deb', '-exec', 'mv', '-v', '{}', '/tmp/packages/', ';'], []),
            ([], ['echo', 'BUILT_MODULES="$BUILT_MODULES"'], [('>', '/tmp/packages/modules.env')]),
        ],
        [['cat', 'xargs'], ['make', 'grep']],
    ),
    # docker-nginx alpine (trimmed): su -c with a script in a string, case patterns with |
    'nginx-su': (
        'case "$apkArch" in x86_64|aarch64) apk add -X "https://nginx.org/packages/alpine/v$(egrep -o \'^[0-9]+\\.[0-9]+\' /etc/alpine-release)/main" --no-cache $nginxPackages ;; *) tempDir="$(mktemp -d)" && chown nobody:nobody $tempDir && su nobody -s /bin/sh -c "export HOME=${tempDir} && make \\$BUILDTARGET" ;; esac',
        [
            ([], ['apk', 'add', '-X', "https://nginx.org/packages/alpine/v$(egrep -o '^[0-9]+\\.[0-9]+' /etc/alpine-release)/main", '--no-cache', '$nginxPackages'], []),
            ([], ['egrep', '-o', '^[0-9]+\\.[0-9]+', '/etc/alpine-release'], []),
            (['tempDir=$(mktemp -d)'], [], []),
            ([], ['mktemp', '-d'], []),
            ([], ['chown', 'nobody:nobody', '$tempDir'], []),
            ([], ['su', 'nobody', '-s', '/bin/sh', '-c', 'export HOME=${tempDir} && make $BUILDTARGET'], []),
        ],
        [],
    ),
    # php (trimmed): docker-php-ext-* with env assignments, heredoc-less redirections, 2>&1
    'php-ext': (
        'export CFLAGS="$PHP_CFLAGS" CPPFLAGS="$PHP_CPPFLAGS"; gnuArch="$(dpkg-architecture --query DEB_BUILD_GNU_TYPE)"; ./configure --build="$gnuArch" --with-config-file-path="$PHP_INI_DIR" 2>&1 >> /tmp/build.log; make -j "$(nproc)"; find -type f -name \'*.a\' -delete; cp -v php.ini-* "$PHP_INI_DIR/"; docker-php-source delete',
        [
            ([], ['export', 'CFLAGS=$PHP_CFLAGS', 'CPPFLAGS=$PHP_CPPFLAGS'], []),
            (['gnuArch=$(dpkg-architecture --query DEB_BUILD_GNU_TYPE)'], [], []),
            ([], ['dpkg-architecture', '--query', 'DEB_BUILD_GNU_TYPE'], []),
            ([], ['./configure', '--build=$gnuArch', '--with-config-file-path=$PHP_INI_DIR'], [('>>', '/tmp/build.log')]),
            ([], ['make', '-j', '$(nproc)'], []),
            ([], ['nproc'], []),
            ([], ['find', '-type', 'f', '-name', '*.a', '-delete'], []),
            ([], ['cp', '-v', 'php.ini-*', '$PHP_INI_DIR/'], []),
            ([], ['docker-php-source', 'delete'], []),
        ],
        [],
    ),
    # a here-document feeding a file, as in the official images' configuration steps
    'heredoc': (
        'cat <<-\'EOF\' > /etc/apt/apt.conf.d/docker-clean\n\tAPT::Keep-Downloaded-Packages "false";\n\tEOF\napt-get update',
        [
            ([], ['cat'], [('<<', 'APT::Keep-Downloaded-Packages "false";'), ('>', '/etc/apt/apt.conf.d/docker-clean')]),
            ([], ['apt-get', 'update'], []),
        ],
        [],
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_labelled_script(name: str) -> None:
    script, commands, pipelines = SAMPLES[name]
    got = shell.parse_shell(script)
    assert got.parsed
    assert [(c.assignments, c.words, c.redirects) for c in got.commands] == commands
    assert [[c.name for c in p] for p in got.pipelines] == pipelines
