/**
 * The parts of a JumpStart model spec (`specs_v<version>.json`) that resolution reads. Every field
 * is optional here because specs of different generations carry different subsets; resolution
 * reports a missing field it needs as a {@link ModelResolutionError}.
 */

/** An instance-type variant entry (`variants[<family or instance type>]`). */
export interface SpecVariant {
  readonly regional_properties?: { readonly image_uri?: string };
  readonly properties?: { readonly environment_variables?: Readonly<Record<string, unknown>> };
}

/** `hosting_instance_type_variants` / `training_instance_type_variants`. */
export interface SpecInstanceTypeVariants {
  /** region → alias name (without `$`) → image URI. */
  readonly regional_aliases?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** family (`g5`) or instance type (`ml.g5.12xlarge`) → variant. */
  readonly variants?: Readonly<Record<string, SpecVariant>>;
}

/** One entry of `hyperparameters`. */
export interface SpecHyperparameter {
  readonly name: string;
  readonly type: 'int' | 'float' | 'text' | 'bool' | string;
  readonly default: unknown;
  readonly scope: 'algorithm' | 'container' | string;
  readonly options?: readonly unknown[];
  readonly min?: number;
  readonly max?: number;
}

/** One entry of `inference_environment_variables`. */
export interface SpecEnvironmentVariable {
  readonly name: string;
  readonly type?: string;
  readonly default: unknown;
  readonly scope?: string;
  readonly required_for_model_class?: boolean;
}

/** A JumpStart model spec (the fields resolution uses). */
export interface JumpStartSpec {
  readonly model_id?: string;
  readonly version?: string;
  readonly training_supported?: boolean;
  readonly gated_bucket?: boolean;
  readonly hosting_artifact_key?: string;
  readonly hosting_prepacked_artifact_key?: string;
  readonly training_artifact_key?: string;
  readonly training_script_key?: string;
  readonly training_prepacked_script_key?: string;
  readonly hyperparameters?: readonly SpecHyperparameter[];
  readonly inference_environment_variables?: readonly SpecEnvironmentVariable[];
  readonly metrics?: readonly { readonly Name: string; readonly Regex: string }[];
  readonly estimator_kwargs?: {
    readonly encrypt_inter_container_traffic?: boolean;
    readonly disable_output_compression?: boolean;
    readonly max_run?: number;
  };
  readonly deploy_kwargs?: {
    readonly model_data_download_timeout?: number;
    readonly container_startup_health_check_timeout?: number;
  };
  readonly inference_volume_size?: number;
  readonly training_volume_size?: number;
  readonly inference_enable_network_isolation?: boolean;
  readonly training_enable_network_isolation?: boolean;
  readonly hosting_instance_type_variants?: SpecInstanceTypeVariants;
  readonly training_instance_type_variants?: SpecInstanceTypeVariants;
}
