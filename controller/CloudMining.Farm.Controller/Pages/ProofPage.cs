using System.Text;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Pages;

/// <summary>
/// The customer's page of one contract: delivered vs target per hour (chart and table), the pool's own figure, the pool
/// and worker, the serials of the miners serving it, and the settlements. Built from <see cref="ContractProofView"/>,
/// which carries no secret: no pool password, no pool API key, nothing of the broker.
/// </summary>
public static class ProofPage
{
    public static string Render(ContractProofView proof, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var b = new StringBuilder();
        b.Append("<h1>Proof of delivery: contract <span id=\"contract-id\">").Append(Html.E(proof.ContractId)).Append("</span></h1>");
        b.Append("<p class=\"muted\">Customer ").Append(Html.E(proof.Customer)).Append(" · hours ").Append(Html.Time(proof.From)).Append(" – ").Append(Html.Time(proof.To))
            .Append(" (UTC) · page rendered ").Append(Html.Time(now)).Append("</p>");
        b.Append("<div class=\"facts\">");
        Fact(b, "status", "Status", proof.Status.ToWire());
        Fact(b, "target-ths", "Target TH/s", Html.Th(proof.TargetHs));
        Fact(b, "delivered-ths", "Delivered TH/s (proof window)", Html.Th(proof.DeliveredHs));
        Fact(b, "pool-url", "Pool", proof.PoolUrl);
        Fact(b, "pool-worker", "Worker", proof.Worker);
        Fact(b, "pool-watch", "Pool-side check", proof.PoolWatch ?? "none");
        b.Append("</div>");

        double target = proof.Hours.Sum(h => h.TargetTerahashHours);
        double delivered = proof.Hours.Sum(h => h.DeliveredTerahashHours);
        double? pool = proof.Hours.Any(h => h.PoolTerahashHours is not null) ? proof.Hours.Sum(h => h.PoolTerahashHours ?? 0) : null;
        b.Append("<div class=\"facts\">");
        Fact(b, "sum-target-thh", "Target TH·h", Html.Thh(target));
        Fact(b, "sum-delivered-thh", "Delivered TH·h (ours)", Html.Thh(delivered));
        Fact(b, "sum-pool-thh", "Delivered TH·h (pool)", Html.Thh(pool));
        if (ProofHourView.PoolWatchedNote(proof.Hours) is { } watched)
        {
            // The pool total counts only the watched part: say so beside it rather than let it read as a shortfall.
            Fact(b, "sum-pool-watched", "Pool watch", watched);
        }

        Fact(b, "sum-shortfall-thh", "Shortfall TH·h", Html.Thh(proof.Hours.Sum(h => h.ShortfallTerahashHours)));
        b.Append("</div>");

        b.Append("<h2>Delivered vs target per hour</h2>").Append(DeliveryChart.Svg(proof.Hours));

        b.Append("<h2>Miners serving the contract now</h2><ul id=\"miners\">");
        foreach (ShareView s in proof.Miners.OrderBy(s => s.MinerId, StringComparer.Ordinal))
        {
            b.Append("<li class=\"miner\" data-miner=\"").Append(Html.E(s.MinerId)).Append("\">").Append(Html.E(s.MinerId)).Append(" (serial <span class=\"serial\">").Append(Html.E(s.Serial)).Append("</span>, rack ").Append(Html.E(s.Rack)).Append(", ")
                .Append(Html.Num(s.Fraction * 100, "0.#")).Append(" %)</li>");
        }

        b.Append("</ul>");

        b.Append("<h2>Hours</h2><table id=\"hours\"><tr><th>Hour (UTC)</th><th>Target TH·h</th><th>Delivered TH·h (ours)</th><th>Delivered TH·h (pool)</th><th>Shortfall TH·h</th><th>Energy kWh</th><th>Maintenance</th><th>Electricity</th><th>Miners (serial, share·h)</th></tr>");
        foreach (ProofHourView h in proof.Hours.OrderByDescending(h => h.Hour))
        {
            b.Append("<tr class=\"hour\"><td>").Append(Html.Time(h.Hour)).Append(h.Open ? " (in progress)" : string.Empty).Append("</td><td>").Append(Html.Thh(h.TargetTerahashHours))
                .Append("</td><td>").Append(Html.Thh(h.DeliveredTerahashHours)).Append("</td><td").Append(h.PoolPartial ? " class=\"partial\"" : string.Empty).Append('>').Append(Html.Thh(h.PoolTerahashHours))
                .Append(h.PoolPartial ? $" (partial: {Html.Num((h.PoolObservedSeconds ?? 0) / 60, "0")} min watched, ≈{Html.Thh(h.PoolTerahashHoursFullHour)} for the hour)" : string.Empty)
                .Append("</td><td>").Append(Html.Thh(h.ShortfallTerahashHours)).Append("</td><td>").Append(Html.Num(h.EnergyKilowattHours, "F2"))
                .Append("</td><td>").Append(Html.Money(h.MaintenanceFee)).Append("</td><td>").Append(Html.Money(h.ElectricityCost)).Append("</td><td>")
                .Append(Html.E(string.Join(", ", h.Miners.Select(m => $"{m.MinerId} (serial {m.Serial}) {Html.Num(m.ShareHours, "0.##")}" + (m.SuspectHours > 0 ? $" suspect {Html.Num(m.SuspectHours, "0.##")}" : string.Empty)))))
                .Append("</td></tr>");
        }

        b.Append("</table>");

        b.Append("<h2>Settlements</h2>");
        if (proof.Settlements.Count == 0)
        {
            b.Append("<p class=\"muted\" id=\"no-settlements\">No settlement period has closed in this range yet.</p>");
        }
        else
        {
            b.Append("<table id=\"settlements\"><tr><th>Period (UTC)</th><th>Target TH·h</th><th>Delivered TH·h</th><th>Pool TH·h</th><th>Shortfall TH·h</th><th>Tolerated TH·h</th><th>Made good</th><th>Extra hours</th><th>Credit</th><th>Energy kWh</th><th>Maintenance</th><th>Electricity</th></tr>");
            foreach (SettlementView s in proof.Settlements.OrderByDescending(s => s.PeriodStart))
            {
                b.Append("<tr class=\"settlement\"><td>").Append(Html.Time(s.PeriodStart)).Append(" – ").Append(Html.Time(s.PeriodEnd))
                    .Append("</td><td>").Append(Html.Thh(s.TargetTerahashHours)).Append("</td><td>").Append(Html.Thh(s.DeliveredTerahashHours))
                    .Append("</td><td").Append(s.PoolPartial ? " class=\"partial\"" : string.Empty).Append('>').Append(Html.Thh(s.PoolTerahashHours))
                    .Append(s.PoolWatchedNote is { } periodWatched ? $" ({Html.E(periodWatched)})" : string.Empty).Append("</td><td>").Append(Html.Thh(s.ShortfallTerahashHours))
                    .Append("</td><td>").Append(Html.Thh(s.ToleratedTerahashHours)).Append("</td><td>").Append(Html.E(s.MakeGood)).Append(' ').Append(Html.Thh(s.MakeGoodTerahashHours))
                    .Append("</td><td>").Append(Html.Num(s.ExtraHours, "F2")).Append("</td><td>").Append(Html.Money(s.Credit))
                    .Append("</td><td>").Append(Html.Num(s.EnergyKilowattHours, "F2")).Append("</td><td>").Append(Html.Money(s.MaintenanceFee))
                    .Append("</td><td>").Append(Html.Money(s.ElectricityCost)).Append("</td></tr>");
            }

            b.Append("</table>");
        }

        b.Append("<p class=\"muted\">Delivered (ours) is the work the contract's pool accepted from our miners, from the accepted difficulty the miners report; ")
            .Append("Delivered (pool) is the pool's own figure for the worker where the farm reads the pool's API. Check it on your pool's dashboard for worker ")
            .Append(Html.E(proof.Worker)).Append(".</p>");
        return Html.Page($"Contract {proof.ContractId} — proof of delivery", b.ToString());
    }

    private static void Fact(StringBuilder b, string id, string label, string value) =>
        b.Append("<div>").Append(Html.E(label)).Append("<b id=\"").Append(id).Append("\">").Append(Html.E(value)).Append("</b></div>");
}
