// Package deploy holds no code: its tests validate the deployment artefacts
// of the repository without a Docker engine or an AWS account —
// docker-compose.yaml (loaded with compose-go, with and without the aws
// profile), the Dockerfile and .dockerignore, the configs under deploy/
// (loaded with the project's own loaders, promtool and amtool), the ECS task
// definition and the IAM policies under deploy/ecs.
//
// go test ./deploy -update regenerates deploy/alertmanager/alertmanager.yml
// from alerts/alertmanager/alertmanager.yml.
package deploy
