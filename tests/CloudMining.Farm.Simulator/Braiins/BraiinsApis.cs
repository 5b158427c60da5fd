using CloudMining.Farm.Shared.Firmware.Channels.Braiins.Wire;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace CloudMining.Farm.Simulator.Braiins;

/// <summary>Finds the miner a call arrived for and checks its session token (every method but Login needs one).</summary>
internal static class BraiinsCall
{
    public static SimulatedMiner Miner(BraiinsMinerRegistry registry, ServerCallContext context, bool authorize = true)
    {
        HttpContext http = context.GetHttpContext();
        SimulatedMiner miner = registry.Find(http.Connection.LocalIpAddress, http.Connection.LocalPort)
            ?? throw new RpcException(new Status(StatusCode.Unavailable, "connection refused"));
        miner.CountGrpcRequest();
        if (authorize)
        {
            miner.GrpcAuthorize(context.RequestHeaders.GetValue("authorization"));
        }

        return miner;
    }
}

internal sealed class AuthenticationApi(BraiinsMinerRegistry registry) : AuthenticationService.AuthenticationServiceBase
{
    public override Task<LoginResponse> Login(LoginRequest request, ServerCallContext context)
    {
        SimulatedMiner miner = BraiinsCall.Miner(registry, context, authorize: false);
        LoginResponse response = miner.GrpcLogin(request.Username, request.Password);
        return Task.FromResult(response);
    }
}

internal sealed class ActionsApi(BraiinsMinerRegistry registry) : ActionsService.ActionsServiceBase
{
    public override Task<PauseMiningResponse> PauseMining(PauseMiningRequest request, ServerCallContext context) =>
        Task.FromResult(new PauseMiningResponse { AlreadyPaused = BraiinsCall.Miner(registry, context).GrpcPause(true) });

    public override Task<ResumeMiningResponse> ResumeMining(ResumeMiningRequest request, ServerCallContext context) =>
        Task.FromResult(new ResumeMiningResponse { AlreadyMining = BraiinsCall.Miner(registry, context).GrpcPause(false) });

    public override Task<RestartResponse> Restart(RestartRequest request, ServerCallContext context)
    {
        SimulatedMiner miner = BraiinsCall.Miner(registry, context);
        miner.CountGrpcWrite();
        // The answer goes out first, then bosminer restarts (the API is gone for the restart delay).
        context.GetHttpContext().Response.OnCompleted(() =>
        {
            miner.Restart();
            return Task.CompletedTask;
        });
        return Task.FromResult(new RestartResponse { AlreadyRunning = true });
    }

    public override Task<RebootResponse> Reboot(RebootRequest request, ServerCallContext context)
    {
        SimulatedMiner miner = BraiinsCall.Miner(registry, context);
        miner.CountGrpcWrite();
        context.GetHttpContext().Response.OnCompleted(() =>
        {
            miner.Restart();
            return Task.CompletedTask;
        });
        return Task.FromResult(new RebootResponse());
    }

    public override Task<LocateDeviceStatusResponse> SetLocateDeviceStatus(SetLocateDeviceStatusRequest request, ServerCallContext context) =>
        Task.FromResult(new LocateDeviceStatusResponse { Enabled = BraiinsCall.Miner(registry, context).GrpcSetLocate(request.Enable) });

    public override Task<LocateDeviceStatusResponse> GetLocateDeviceStatus(GetLocateDeviceStatusRequest request, ServerCallContext context) =>
        Task.FromResult(new LocateDeviceStatusResponse { Enabled = BraiinsCall.Miner(registry, context).Blinking });
}

internal sealed class PoolApi(BraiinsMinerRegistry registry) : PoolService.PoolServiceBase
{
    public override Task<GetPoolGroupsResponse> GetPoolGroups(GetPoolGroupsRequest request, ServerCallContext context) =>
        Task.FromResult(BraiinsCall.Miner(registry, context).GrpcPoolGroups());

    public override Task<SetPoolGroupsResponse> SetPoolGroups(SetPoolGroupsRequest request, ServerCallContext context) =>
        Task.FromResult(BraiinsCall.Miner(registry, context).GrpcSetPoolGroups(request));
}

internal sealed class PerformanceApi(BraiinsMinerRegistry registry) : PerformanceService.PerformanceServiceBase
{
    public override Task<GetTunerStateResponse> GetTunerState(GetTunerStateRequest request, ServerCallContext context) =>
        Task.FromResult(BraiinsCall.Miner(registry, context).GrpcTunerState());

    public override Task<SetPowerTargetResponse> SetPowerTarget(SetPowerTargetRequest request, ServerCallContext context) =>
        Task.FromResult(BraiinsCall.Miner(registry, context).GrpcSetPowerTarget(request));
}

internal sealed class MinerApi(BraiinsMinerRegistry registry) : MinerService.MinerServiceBase
{
    public override Task<GetMinerDetailsResponse> GetMinerDetails(GetMinerDetailsRequest request, ServerCallContext context) =>
        Task.FromResult(BraiinsCall.Miner(registry, context).GrpcMinerDetails());
}

internal sealed class ConfigurationApi(BraiinsMinerRegistry registry) : ConfigurationService.ConfigurationServiceBase
{
    public override Task<GetConstraintsResponse> GetConstraints(GetConstraintsRequest request, ServerCallContext context) =>
        Task.FromResult(BraiinsCall.Miner(registry, context).GrpcConstraints());
}
