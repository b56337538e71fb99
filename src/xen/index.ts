/**
 * The toolstack layer's public face: what src/main may use. Everything here is plain Node (never electron); every
 * failure is a XenError.
 */

export { XenError, isXenError, isUnreachable, type XenErrorCode, type XenErrorDetail } from './errors';

// Reaching a toolstack.
export type { Runner, Executor, HostFs, HostFileStat, StreamHandle, PtyHandle, RunOptions, RunResult, XenProgram } from './runner/types';
export { createLocalRunner, type LocalRunnerOptions } from './runner/local';
export { createSshRunner, sshBaseArgs, type SshRunnerOptions } from './runner/ssh';
export { brokerLaunchCommand, createBrokerRunner, type BrokerLaunchFacts, type BrokerRunnerOptions } from './runner/broker-client';
export { createDemoRunner, type DemoRunner, type DemoRunnerOptions, type SimControl } from './sim/index';
export { DEFAULT_TIMEOUTS, type TimeoutTable } from './command';
export { COMMANDS, type CommandArgs, type CommandName } from './commands/table';
export { buildCommand, isCommandName, type BuiltCommand } from './commands/build';

// Operations.
export { createXenApi, type XenApi } from './ops/api';
export type { XenApiOptions, ResolvedOptions } from './ops/context';
export type { ConfigView, WriteConfigOptions } from './ops/configs';
export type { DeleteReport, DeleteStep, DeleteOptions } from './ops/delete';
export type { CreateOptions, ShutdownOptions, DryRunResult } from './ops/lifecycle';
export type { ConsoleInfo } from './ops/host';
export { gibToBytes, type CreateImageOptions } from './ops/images';
export type { DownloadSink, TransferProgress, UploadResult } from './storage/transfer';
export { clashingUser, clashMessage, type DiskUser } from './ops/disk-use';
export { isValidDomainName, type DomainRef } from './ops/validate';

// The new-VM wizard: host options, the plan's review, and its execution (files made, rolled back on failure).
export type { WizardDeps } from './wizard/deps';
export { wizardOptions } from './wizard/options';
export { previewPlan } from './wizard/preview';
export { createFromPlan, type PhaseReport, type ProgressSink } from './wizard/create';

// Live figures.
export { createStatsService, type StatsService, type StatsServiceOptions } from './stats/stats-service';

// Parsers (pure; tested against real captures).
export { parseXlList, stateFromFlags, describeStateFlags, type XlListRow } from './parse/xl-list';
export { parseXlListVerbose, type XlListVerboseRow } from './parse/xl-list-verbose';
export { parseXlListLong, summariseLongEntry, type XlListLongEntry, type LongEntrySummary } from './parse/xl-list-long';
export { parseXlInfo, guestTypesFromVirtCaps, type XlInfo } from './parse/xl-info';
export { parseXentopBatch, XentopStreamParser, type XentopFrame, type XentopRow } from './parse/xentop';
export { parseXlVcpuList } from './parse/xl-vcpu-list';
export { parseXlUptime } from './parse/xl-uptime';
export { parseXlDmesg } from './parse/xl-dmesg';
export { parseXlNetworkList } from './parse/xl-network-list';
export { parseXlBlockList } from './parse/xl-block-list';
export { parseXlSchedCredit2 } from './parse/xl-sched-credit2';
export { parseXenstoreLs, parseXenstoreRead, consoleTtyFrom, vncFrom } from './parse/xenstore';

// Config files.
export { parseXlConfig, type XlConfigDocument } from './config/xl-config';
export { renderXlConfig, configFromXl, readXlModel, updateXlConfigText } from './config/render';
export { validateDomainConfig, domainConfigSchema, type DomainConfig, type ValidateResult, type ConfigProblem } from '../shared/domain-config';
export { parseDiskSpec, formatDiskSpec, type DiskSpec } from '../shared/disk-spec';
export { parseVifSpec, formatVifSpec, type VifSpec } from '../shared/vif-spec';
