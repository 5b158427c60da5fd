namespace CloudMining.Farm.ControlApi;

/// <summary>`farmctl curtail status`: the signals in force, the strike and its gate, and what the site would curtail now.</summary>
public sealed record CurtailmentStatusView(
    string Site,
    decimal? Strike,
    decimal Hysteresis,
    bool StrikeCurtailed,
    string StrikeWhy,
    IReadOnlyList<CurtailmentSignalView> Signals,
    CurtailmentPlanView Now);
