using System.Globalization;
using System.Text;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Pages;

/// <summary>
/// The operator's dashboard: racks × miners coloured by state (fill) and temperature (border), capacity, the contracts
/// with delivered/target bars, and the lagging or silent agents. Built from the local API's views; no secret appears
/// (the views carry none: pools as URL and worker only).
/// </summary>
public static class DashboardPage
{
    /// <summary>Chip temperature at or above which a miner's border turns orange, and red.</summary>
    public const double WarmC = 75;

    public const double HotC = 85;

    public static string Render(FleetView fleet, CapacityView capacity, AllocationView allocation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(capacity);
        ArgumentNullException.ThrowIfNull(allocation);
        var b = new StringBuilder();
        b.Append("<h1>Farm ").Append(Html.E(fleet.Site)).Append("</h1><p class=\"muted\">Rendered ").Append(Html.Time(now)).Append(" · allocation version ")
            .Append(allocation.Version.ToString(CultureInfo.InvariantCulture)).Append(" · reload for fresh figures</p>");

        b.Append("<div class=\"facts\">");
        Fact(b, "measured-ths", "Measured healthy TH/s", Html.Th(capacity.MeasuredHealthyHs));
        Fact(b, "units-total", "Units total", capacity.UnitsTotal.ToString(CultureInfo.InvariantCulture));
        Fact(b, "units-sold", "Units sold", capacity.UnitsSold.ToString(CultureInfo.InvariantCulture));
        Fact(b, "units-free", "Units free", capacity.UnitsFree.ToString(CultureInfo.InvariantCulture));
        Fact(b, "miners-healthy", "Miners healthy", $"{capacity.MinersHealthy}/{capacity.MinersTotal}");
        Fact(b, "house-ths", "House pool TH/s", Html.Th(allocation.HouseHashrateHs));
        b.Append("</div>");

        b.Append("<h2>Racks × miners</h2><p class=\"muted\">Fill: state (green hashing, amber degraded, grey idle/off, red unreachable, blue restarting); border: chip temperature (orange ≥ ")
            .Append(WarmC.ToString(CultureInfo.InvariantCulture)).Append(" °C, red ≥ ").Append(HotC.ToString(CultureInfo.InvariantCulture)).Append(" °C).</p>");
        b.Append("<table class=\"grid\" id=\"grid\">");
        foreach (RackView rack in fleet.Racks)
        {
            b.Append("<tr class=\"rack\" data-rack=\"").Append(Html.E(rack.Rack)).Append("\"><th>").Append(Html.E(rack.Rack)).Append("<br><span class=\"muted\">")
                .Append(Html.Th(rack.HashrateHs)).Append(" TH/s</span></th>");
            // Another rack's miner claimed by this one (a conflict) is not drawn in this rack's row.
            foreach (MinerView m in fleet.Miners.Where(m => m.Rack == rack.Rack && !m.ForeignClaim).OrderBy(m => m.MinerId, StringComparer.Ordinal))
            {
                string temp = m.MaxChipTempC is { } t ? t.ToString("F0", CultureInfo.InvariantCulture) + "°" : "-";
                string assigned = m.Shares.Count == 0 ? "unassigned" : string.Join(" + ", m.Shares.Select(s => $"{s.Assignee} {s.Fraction * 100:0.#}%"));
                b.Append("<td class=\"miner state-").Append(Html.E(m.State ?? "unknown")).Append("\" data-miner=\"").Append(Html.E(m.MinerId)).Append("\" style=\"background:")
                    .Append(StateColour(m)).Append(";border:3px solid ").Append(TempColour(m.MaxChipTempC)).Append("\" title=\"")
                    .Append(Html.E($"{m.MinerId} {m.Model} · {m.State ?? "unknown"} · {Html.Th(m.HashrateHs)} TH/s · {temp} · {assigned}")).Append("\">")
                    .Append(Html.E(m.MinerId)).Append("<br>").Append(Html.E(temp)).Append("</td>");
            }

            b.Append("</tr>");
        }

        b.Append("</table>");

        b.Append("<h2>Contracts</h2><table id=\"contracts\"><tr><th>Contract</th><th>Customer</th><th>Status</th><th>Target TH/s</th><th>Allocated TH/s</th><th>Delivered TH/s</th><th>Delivered / target</th><th>Miners</th></tr>");
        foreach (ContractView c in allocation.Contracts)
        {
            b.Append("<tr class=\"contract\" data-contract=\"").Append(Html.E(c.Id)).Append("\"><td>").Append(Html.E(c.Id)).Append("</td><td>").Append(Html.E(c.Customer))
                .Append("</td><td>").Append(Html.E(c.Status.ToWire())).Append("</td><td class=\"target\">").Append(Html.Th(c.TargetHs))
                .Append("</td><td class=\"allocated\">").Append(Html.Th(c.AllocatedHs)).Append("</td><td class=\"delivered\">").Append(Html.Th(c.DeliveredHs))
                .Append("</td><td>").Append(DeliveryChart.Bar(c.Id, c.DeliveredHs, c.TargetHs)).Append("</td><td class=\"miners\">")
                .Append(c.Shares.Count.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>");
        }

        b.Append("</table>");

        List<RackView> lagging = [.. fleet.Racks.Where(r => r.Lagging || !r.AgentOnline)];
        b.Append("<h2>Lagging agents</h2>");
        if (lagging.Count == 0)
        {
            b.Append("<p id=\"lagging-none\">Every rack's agent is online and has applied the latest desired pools.</p>");
        }
        else
        {
            b.Append("<ul id=\"lagging\">");
            foreach (RackView r in lagging)
            {
                b.Append("<li class=\"lagging\" data-rack=\"").Append(Html.E(r.Rack)).Append("\">").Append(Html.E(r.Rack)).Append(": ")
                    .Append(r.AgentOnline ? $"applied generation {r.AppliedGeneration?.ToString(CultureInfo.InvariantCulture) ?? "none"} of {r.DesiredGeneration?.ToString(CultureInfo.InvariantCulture) ?? "none"}" : "agent offline")
                    .Append(", last seen ").Append(r.LastSeen is { } seen ? Html.Time(seen) : "never").Append("</li>");
            }

            b.Append("</ul>");
        }

        return Html.Page($"Farm {fleet.Site} — dashboard", b.ToString());
    }

    private static string StateColour(MinerView m) => m.Drained ? "#ced4da" : m.State switch
    {
        "hashing" => "#b2f2bb",
        "degraded" => "#ffe066",
        "unreachable" => "#ffa8a8",
        "restarting" => "#a5d8ff",
        "idle" or "powered-off" => "#dee2e6",
        _ => "#f1f3f5",
    };

    private static string TempColour(double? celsius) => celsius switch
    {
        >= HotC => "#e03131",
        >= WarmC => "#f08c00",
        _ => "#ffffff",
    };

    private static void Fact(StringBuilder b, string id, string label, string value) =>
        b.Append("<div>").Append(Html.E(label)).Append("<b id=\"").Append(id).Append("\">").Append(Html.E(value)).Append("</b></div>");
}
