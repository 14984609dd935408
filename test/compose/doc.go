// Package compose holds the tests of Kring's deployment files: docker-compose.yml, the Dockerfile,
// .dockerignore, .env.example and the README's configuration table. They read the files as text
// and need no Docker engine; scripts/test also runs `docker-compose config -q` on the compose file.
package compose
