namespace CloudMining.Farm.ControlApi;

/// <summary>
/// `farmctl curtail status`: the signals in force, the strike and its gate, what the site would curtail now, and each
/// curtailable contract's allowance used this period (<paramref name="Allowances"/>, added with issue 14; null from an
/// older controller).
/// </summary>
public sealed record CurtailmentStatusView(
    string Site,
    decimal? Strike,
    decimal Hysteresis,
    bool StrikeCurtailed,
    string StrikeWhy,
    IReadOnlyList<CurtailmentSignalView> Signals,
    CurtailmentPlanView Now,
    IReadOnlyList<CurtailmentAllowanceView>? Allowances = null);
