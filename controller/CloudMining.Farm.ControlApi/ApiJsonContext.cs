using System.Text.Json;
using System.Text.Json.Serialization;

namespace CloudMining.Farm.ControlApi;

/// <summary>Source-generated JSON of the local API (camelCase, the web defaults): the controller writes and farmctl reads the same types with it.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = false)]
[JsonSerializable(typeof(FleetView))]
[JsonSerializable(typeof(MinerView))]
[JsonSerializable(typeof(CapacityView))]
[JsonSerializable(typeof(ContractView))]
[JsonSerializable(typeof(IReadOnlyList<ContractView>))]
[JsonSerializable(typeof(NewContractRequest))]
[JsonSerializable(typeof(AllocationView))]
[JsonSerializable(typeof(RebalanceView))]
[JsonSerializable(typeof(IReadOnlyList<LedgerEntry>))]
[JsonSerializable(typeof(ProblemDocument))]
[JsonSerializable(typeof(CurtailmentRequest))]
[JsonSerializable(typeof(CurtailmentPlanView))]
[JsonSerializable(typeof(CurtailmentStatusView))]
[JsonSerializable(typeof(ContractProofView))]
[JsonSerializable(typeof(IReadOnlyList<SettlementView>))]
[JsonSerializable(typeof(PageLinkView))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
