# hullcheck's own image: `docker build -t hullcheck .`
#
# The base is pinned by digest. Digest of docker.io/library/python:3.12.7-slim-bookworm (linux
# index) as pinned in public Dockerfiles, e.g. github.com/nalabelle/build,
# images/digests.Dockerfile. VERIFY AT RELEASE: `docker buildx imagetools inspect
# python:3.12.7-slim-bookworm` (or a newer tag) and update the tag and digest together.
# Offline or from a base of your own: --build-arg BASE_IMAGE=<image with python3 and venv>,
# wheels in ./wheels and --build-arg PIP_NO_INDEX=1 (docs/own-image.md).
ARG BASE_IMAGE=docker.io/library/python:3.12.7-slim-bookworm@sha256:032c52613401895aa3d418a4c563d2d05f993bc3ecc065c8f4e2280978acd249

# --- build: a virtual environment with hullcheck and its dependencies ----------------------
FROM ${BASE_IMAGE} AS build
ARG PIP_NO_INDEX=
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# The context is what .dockerignore lets in: pyproject.toml, README.md, src/ and, optional and
# not in the repository, wheels/ (an offline build installs from it without an index).
COPY . /src/
RUN python3 -m venv /opt/hullcheck \
 && /opt/hullcheck/bin/python -m pip install --find-links /src/wheels /src \
 && /opt/hullcheck/bin/python -m pip uninstall --yes pip \
 && /opt/hullcheck/bin/hullcheck --version

# --- runtime: the base, the virtual environment, a user without privileges -----------------
FROM ${BASE_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="hullcheck" \
      org.opencontainers.image.description="Audit every layer of a container stack for security mistakes" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/hullcheck/hullcheck" \
      org.opencontainers.image.documentation="https://github.com/hullcheck/hullcheck/blob/main/docs/own-image.md"
COPY --from=build /opt/hullcheck /opt/hullcheck
# A numeric user, so `runAsNonRoot` can verify it; `hullcheck host` reads the Docker socket
# (root:docker 660): run it with --group-add <docker's gid> or --user 0 (docs/own-image.md).
# The base's setuid and setgid programs (su, passwd, chfn...) are of no use to a scanner and
# the way up from that user: their bits are removed.
RUN groupadd --system --gid 10001 hullcheck \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin hullcheck \
 && find / -xdev -type f -perm /6000 -exec chmod ug-s {} +
ENV PATH=/opt/hullcheck/bin:$PATH PYTHONDONTWRITEBYTECODE=1
USER 10001:10001
WORKDIR /work
# No HEALTHCHECK: hullcheck is a command that runs once and exits, not a service; there is
# nothing to probe (the exit code is its result).
HEALTHCHECK NONE
ENTRYPOINT ["hullcheck"]
CMD ["--help"]
