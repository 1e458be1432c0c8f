package awstest

// ResourcesYAML is the cloudwatch: keys of an alerts configuration naming
// real-looking resources for every key whose default is a placeholder
// (which alerts apply refuses): for tests that apply the alarms. Indented
// two spaces, to follow a "cloudwatch:" line.
const ResourcesYAML = `  ecs_cluster: prod-voice
  voice_service: voice-agent
  browser_service: browser-service
  load_balancer: app/prod-voice-alb/50dc6c495c0c9188
  voice_target_group: targetgroup/prod-voice/73e2d6bc24d8a067
  browser_target_group: targetgroup/prod-browser/943f017f100becff
  cloudfront_distribution: E2QWRUHAPOMQZL
  dynamodb_table: prod-voice-sessions
`
