package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

type ecsKV struct {
	Name      string `json:"name"`
	Value     string `json:"value"`
	ValueFrom string `json:"valueFrom"`
}

type ecsPortMapping struct {
	Name               string `json:"name"`
	ContainerPort      int    `json:"containerPort"`
	ContainerPortRange string `json:"containerPortRange"`
	Protocol           string `json:"protocol"`
	AppProtocol        string `json:"appProtocol"`
}

type ecsContainer struct {
	Name         string           `json:"name"`
	Image        string           `json:"image"`
	Essential    *bool            `json:"essential"`
	Command      []string         `json:"command"`
	PortMappings []ecsPortMapping `json:"portMappings"`
	Environment  []ecsKV          `json:"environment"`
	Secrets      []ecsKV          `json:"secrets"`
	DependsOn    []struct {
		ContainerName string `json:"containerName"`
		Condition     string `json:"condition"`
	} `json:"dependsOn"`
	HealthCheck *struct {
		Command     []string `json:"command"`
		Interval    int      `json:"interval"`
		Timeout     int      `json:"timeout"`
		Retries     int      `json:"retries"`
		StartPeriod int      `json:"startPeriod"`
	} `json:"healthCheck"`
	StopTimeout       int `json:"stopTimeout"`
	Memory            int `json:"memory"`            // MiB, hard limit
	MemoryReservation int `json:"memoryReservation"` // MiB, soft
	LogConfiguration  *struct {
		LogDriver string            `json:"logDriver"`
		Options   map[string]string `json:"options"`
	} `json:"logConfiguration"`
}

type ecsTaskDefinition struct {
	Family                  string         `json:"family"`
	RequiresCompatibilities []string       `json:"requiresCompatibilities"`
	NetworkMode             string         `json:"networkMode"`
	CPU                     string         `json:"cpu"`
	Memory                  string         `json:"memory"`
	RuntimePlatform         map[string]any `json:"runtimePlatform"`
	ExecutionRoleArn        string         `json:"executionRoleArn"`
	TaskRoleArn             string         `json:"taskRoleArn"`
	ContainerDefinitions    []ecsContainer `json:"containerDefinitions"`
}

// decodeStrictJSON decodes a file, rejecting fields the struct lacks (so a
// typo like "stoptimeout" is an error, not an ignored key).
func decodeStrictJSON(t *testing.T, rel string, v any) {
	t.Helper()
	b, err := os.ReadFile(repoPath(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

func loadTaskDefinition(t *testing.T) (ecsTaskDefinition, map[string]ecsContainer) {
	t.Helper()
	var td ecsTaskDefinition
	decodeStrictJSON(t, "deploy/ecs/task-definition.json", &td)
	byName := map[string]ecsContainer{}
	for _, c := range td.ContainerDefinitions {
		byName[c.Name] = c
	}
	return td, byName
}

// ecsEnv is a container's environment as ECS sets it; secrets get a
// placeholder value (ECS resolves them at start).
func ecsEnv(c ecsContainer) map[string]string {
	env := map[string]string{}
	for _, e := range c.Environment {
		env[e.Name] = e.Value
	}
	for _, s := range c.Secrets {
		env[s.Name] = "placeholder-" + strings.ToLower(s.Name)
	}
	return env
}

var secretName = regexp.MustCompile(`(?i)SECRET|TOKEN|PASSWORD|KEY`)

func TestECSTaskDefinition(t *testing.T) {
	td, cs := loadTaskDefinition(t)
	if td.Family == "" || td.NetworkMode != "awsvpc" || td.CPU == "" || td.Memory == "" || td.ExecutionRoleArn == "" || td.TaskRoleArn == "" {
		t.Errorf("task definition lacks family, awsvpc, cpu, memory or the roles: %+v", td)
	}
	voiceC, ok1 := cs["voice"]
	sideC, ok2 := cs["sidecar"]
	if !ok1 || !ok2 || len(cs) != 2 {
		t.Fatalf("want containers voice and sidecar, got %v", len(cs))
	}
	voiceCfg := loadVoice(t, repoPath(t, imageFiles[configArg(t, voiceC.Command)]), ecsEnv(voiceC))
	sideCfg := loadSidecar(t, repoPath(t, imageFiles[configArg(t, sideC.Command)]), ecsEnv(sideC))

	t.Run("essential", func(t *testing.T) {
		if voiceC.Essential == nil || !*voiceC.Essential {
			t.Error("voice must be essential: the task is the media core")
		}
		if sideC.Essential == nil || *sideC.Essential {
			t.Error("the sidecar must not be essential: an observability failure must not end calls")
		}
	})
	t.Run("voice starts after and stops before the sidecar", func(t *testing.T) {
		if len(voiceC.DependsOn) != 1 || voiceC.DependsOn[0].ContainerName != "sidecar" || voiceC.DependsOn[0].Condition != "START" {
			t.Errorf("voice dependsOn %+v, want [{sidecar START}]", voiceC.DependsOn)
		}
	})
	t.Run("stopTimeout covers the sidecar's flush", func(t *testing.T) {
		want := int((sideCfg.ShutdownGrace + 5*time.Second) / time.Second)
		if sideC.StopTimeout != want {
			t.Errorf("sidecar stopTimeout %d, want shutdown_grace (%v) + 5s = %d", sideC.StopTimeout, sideCfg.ShutdownGrace, want)
		}
		if sideC.StopTimeout > 120 {
			t.Errorf("stopTimeout %d exceeds ECS's maximum of 120", sideC.StopTimeout)
		}
	})
	t.Run("sidecar memory limit and GOMEMLIMIT agree", func(t *testing.T) {
		var limit string
		for _, kv := range sideC.Environment {
			if kv.Name == "GOMEMLIMIT" {
				limit = kv.Value
			}
		}
		mib, ok := strings.CutSuffix(limit, "MiB")
		n, err := strconv.Atoi(mib)
		if !ok || err != nil {
			t.Fatalf("sidecar GOMEMLIMIT %q, want NNNMiB", limit)
		}
		// The Go runtime must start working harder before the container is
		// killed: GOMEMLIMIT at most 90 % of the hard limit, above the
		// reservation.
		if sideC.Memory == 0 || n*10 > sideC.Memory*9 || n <= sideC.MemoryReservation {
			t.Errorf("GOMEMLIMIT %d MiB with memory %d MiB and reservation %d MiB: want reservation < GOMEMLIMIT <= 90%% of memory",
				n, sideC.Memory, sideC.MemoryReservation)
		}
	})
	t.Run("media UDP range", func(t *testing.T) {
		want := fmt.Sprintf("%d-%d", voiceCfg.ICE.UDPPortMin, voiceCfg.ICE.UDPPortMax)
		if !slices.ContainsFunc(voiceC.PortMappings, func(p ecsPortMapping) bool {
			return p.ContainerPortRange == want && p.Protocol == "udp"
		}) {
			t.Errorf("voice maps no UDP range %s (ice.udp_port_min..max)", want)
		}
	})
	listens := map[string][]int{
		"voice":   {int(portOf(t, voiceCfg.Listen)), int(portOf(t, voiceCfg.MetricsListen))},
		"sidecar": {int(portOf(t, sideCfg.Listen))},
	}
	for _, c := range []ecsContainer{voiceC, sideC} {
		t.Run(c.Name, func(t *testing.T) {
			if !strings.Contains(c.Image, ".dkr.ecr.") {
				t.Errorf("image %q: want the ECR image built from the Dockerfile", c.Image)
			}
			for _, pm := range c.PortMappings {
				if pm.ContainerPortRange == "" && (pm.Protocol != "tcp" || !slices.Contains(listens[c.Name], pm.ContainerPort)) {
					t.Errorf("port mapping %d/%s: %s listens on tcp %v", pm.ContainerPort, pm.Protocol, c.Name, listens[c.Name])
				}
			}
			hc := c.HealthCheck
			if hc == nil {
				t.Fatal("no healthCheck")
			}
			u := healthcheckURL(t, hc.Command)
			var port int
			if _, err := fmt.Sscanf(u, "http://127.0.0.1:%d/-/healthy", &port); err != nil || !slices.Contains(listens[c.Name], port) {
				t.Errorf("health check %s: want /-/healthy on one of %v", u, listens[c.Name])
			}
			if i := slices.Index(hc.Command, "--timeout"); i < 0 {
				t.Error("probe http without --timeout")
			} else if d, err := time.ParseDuration(hc.Command[i+1]); err != nil || d >= time.Duration(hc.Timeout)*time.Second {
				t.Errorf("probe --timeout %s must be below the healthCheck timeout %ds", hc.Command[i+1], hc.Timeout)
			}
			if hc.Timeout < 2 || hc.Interval <= hc.Timeout || hc.Retries < 1 {
				t.Errorf("healthCheck interval %d timeout %d retries %d", hc.Interval, hc.Timeout, hc.Retries)
			}
			lc := c.LogConfiguration
			if lc == nil || lc.LogDriver != "awslogs" || lc.Options["awslogs-group"] == "" || lc.Options["awslogs-region"] == "" || lc.Options["awslogs-stream-prefix"] != c.Name {
				t.Errorf("logConfiguration %+v: want awslogs with group, region and stream prefix %q", lc, c.Name)
			}
			for _, e := range c.Environment {
				if secretName.MatchString(e.Name) {
					t.Errorf("%s is a plain environment variable: inject it through secrets (SSM / Secrets Manager)", e.Name)
				}
			}
			for _, s := range c.Secrets {
				if !strings.HasPrefix(s.ValueFrom, "arn:aws:ssm:") && !strings.HasPrefix(s.ValueFrom, "arn:aws:secretsmanager:") {
					t.Errorf("secret %s from %q: want an SSM parameter or Secrets Manager ARN", s.Name, s.ValueFrom)
				}
			}
		})
	}
}

// iamPolicy is an IAM policy document.
type iamPolicy struct {
	Version   string `json:"Version"`
	Statement []struct {
		Sid       string                       `json:"Sid"`
		Effect    string                       `json:"Effect"`
		Action    stringOrList                 `json:"Action"`
		Resource  stringOrList                 `json:"Resource"`
		Condition map[string]map[string]string `json:"Condition"`
	} `json:"Statement"`
}

// stringOrList is IAM's "a string or a list of strings".
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// arnMatches reports whether an IAM resource pattern (with *) covers arn.
func arnMatches(pattern, arn string) bool {
	ok, _ := path.Match(strings.ReplaceAll(pattern, "/", "\x00"), strings.ReplaceAll(arn, "/", "\x00"))
	return ok
}

func TestECSTaskRolePolicy(t *testing.T) {
	var pol iamPolicy
	decodeStrictJSON(t, "deploy/ecs/iam-policy.json", &pol)
	_, cs := loadTaskDefinition(t)
	side := cs["sidecar"]
	sideCfg := loadSidecar(t, repoPath(t, imageFiles[configArg(t, side.Command)]), ecsEnv(side))
	lc := cs["voice"].LogConfiguration.Options
	group := fmt.Sprintf("arn:aws:logs:%s:123456789012:log-group:%s", lc["awslogs-region"], lc["awslogs-group"])

	if pol.Version != "2012-10-17" {
		t.Errorf("Version %q", pol.Version)
	}
	var actions []string
	for _, st := range pol.Statement {
		if st.Effect != "Allow" {
			t.Errorf("%s: Effect %q", st.Sid, st.Effect)
		}
		for _, a := range st.Action {
			actions = append(actions, a)
			switch a {
			case "cloudwatch:PutMetricData":
				if ns := st.Condition["StringEquals"]["cloudwatch:namespace"]; ns != sideCfg.CloudWatch.Namespace {
					t.Errorf("PutMetricData is allowed for namespace %q, the sidecar writes %q", ns, sideCfg.CloudWatch.Namespace)
				}
			case "logs:FilterLogEvents", "logs:GetLogEvents":
				for _, r := range st.Resource {
					if !arnMatches(r, group+":log-stream:voice/voice/x") || arnMatches(r, group+"-other:log-stream:x") {
						t.Errorf("%s on %s: want exactly the log group %s", a, r, lc["awslogs-group"])
					}
				}
			case "logs:DescribeLogGroups":
				// Lists log groups (names, not data): it takes no narrower resource.
			}
			if st.Condition == nil && slices.Contains(st.Resource, "*") {
				t.Errorf("%s on Resource * without a condition", a)
			}
		}
	}
	want := []string{"cloudwatch:PutMetricData", "logs:DescribeLogGroups", "logs:FilterLogEvents", "logs:GetLogEvents"}
	if slices.Sort(actions); !slices.Equal(actions, want) {
		t.Errorf("task role grants %v, want exactly %v", actions, want)
	}
}

func TestECSExecutionRolePolicy(t *testing.T) {
	var pol iamPolicy
	decodeStrictJSON(t, "deploy/ecs/execution-role-policy.json", &pol)
	_, cs := loadTaskDefinition(t)
	allowed := func(action, arn string) bool {
		for _, st := range pol.Statement {
			if st.Effect == "Allow" && slices.Contains(st.Action, action) && slices.ContainsFunc(st.Resource, func(r string) bool { return arnMatches(r, arn) }) {
				return true
			}
		}
		return false
	}
	for _, c := range cs {
		for _, s := range c.Secrets {
			action := "ssm:GetParameters"
			if strings.HasPrefix(s.ValueFrom, "arn:aws:secretsmanager:") {
				action = "secretsmanager:GetSecretValue"
			}
			if !allowed(action, s.ValueFrom+"-AbCdEf") && !allowed(action, s.ValueFrom) {
				t.Errorf("%s: the execution role cannot read %s (%s)", c.Name, s.ValueFrom, action)
			}
		}
		// The image: ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG.
		if host, rest, ok := strings.Cut(c.Image, "/"); ok {
			account, region := strings.Split(host, ".")[0], strings.Split(host, ".")[3]
			repo, _, _ := strings.Cut(rest, ":")
			arn := fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", region, account, repo)
			for _, a := range []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"} {
				if !allowed(a, arn) {
					t.Errorf("%s: the execution role lacks %s on %s, so the image %s cannot be pulled", c.Name, a, arn, c.Image)
				}
			}
		} else {
			t.Errorf("%s: image %q is not in ECR", c.Name, c.Image)
		}
		lc := c.LogConfiguration.Options
		stream := fmt.Sprintf("arn:aws:logs:%s:123456789012:log-group:%s:log-stream:%s/%s/abc", lc["awslogs-region"], lc["awslogs-group"], lc["awslogs-stream-prefix"], c.Name)
		for _, a := range []string{"logs:CreateLogStream", "logs:PutLogEvents"} {
			if !allowed(a, stream) {
				t.Errorf("%s: the execution role lacks %s on its log stream", c.Name, a)
			}
		}
	}
	var actions []string
	for _, st := range pol.Statement {
		actions = append(actions, st.Action...)
		if slices.Contains(st.Resource, "*") && !slices.Equal(st.Action, []string{"ecr:GetAuthorizationToken"}) {
			t.Errorf("%s: Resource * is only for ecr:GetAuthorizationToken", st.Sid)
		}
	}
	slices.Sort(actions)
	want := []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetAuthorizationToken", "ecr:GetDownloadUrlForLayer",
		"logs:CreateLogStream", "logs:PutLogEvents", "secretsmanager:GetSecretValue", "ssm:GetParameters"}
	if !slices.Equal(actions, want) {
		t.Errorf("execution role grants %v, want exactly %v", actions, want)
	}
}
