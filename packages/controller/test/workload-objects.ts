// The fields tests read from the Deployments, DaemonSets, Services and
// PodDisruptionBudgets the controller provisions and the Helm chart renders:
// just enough of the Kubernetes shapes for a test to read them as a user
// reads YAML, typed, and fail where a field it relies on is missing.
import type { KubeObject } from '@switchyard/api';

/** An object read back from the API server or a rendered chart: its spec is there. */
export type WithSpec<Spec> = KubeObject<Spec> & { spec: Spec };

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  args: string[];
  ports: ContainerPort[];
  resources?: unknown;
  securityContext: { capabilities?: unknown };
  readinessProbe: { httpGet?: unknown };
}

export interface PodSpec {
  containers: Container[];
  securityContext: { runAsNonRoot?: boolean; runAsUser?: number; sysctls?: Array<{ name: string; value: string }> };
  terminationGracePeriodSeconds: number;
  topologySpreadConstraints: Array<{ topologyKey: string }>;
}

export interface PodTemplate {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

/** A Deployment or a DaemonSet (no replicas, no strategy of that name). */
export type Workload = WithSpec<{ replicas?: number; selector: unknown; strategy?: unknown; template: PodTemplate }>;

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  nodePort?: number;
}

export type ServiceObject = WithSpec<{ type: string; clusterIP: string; ports: ServicePort[]; loadBalancerIP?: string; externalIPs?: string[] }>;

export type PodDisruptionBudget = WithSpec<{ minAvailable?: number | string; maxUnavailable?: number | string; selector: unknown }>;
