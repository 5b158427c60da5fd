using System.Globalization;
using CloudMining.Farm.ControlApi;
using Spectre.Console;

namespace CloudMining.Farm.Ctl.Rendering;

/// <summary>`farmctl curtail`: the plan per miner (action, whose hashrate, why), its cost per contract and the house, and what it left alone.</summary>
public static class CurtailmentTable
{
    public static void RenderStatus(IAnsiConsole console, CurtailmentStatusView status)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(status);
        string strike = status.Strike is { } s
            ? $"strike {Money(s)}, hysteresis {Money(status.Hysteresis)}; {status.StrikeWhy}"
            : status.StrikeWhy;
        console.MarkupLine($"Site [bold]{Markup.Escape(status.Site)}[/]: {Markup.Escape(strike)}.");
        if (status.Signals.Count == 0)
        {
            console.MarkupLine("No signal in force (no operator price or event, no feed price, no tariff).");
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Signal", "Source", "Value", "From", "Until");
            foreach (CurtailmentSignalView sig in status.Signals)
            {
                string value = sig.PricePerMWh is { } p ? $"{Money(p)} {sig.Currency}" : $"reduce {Figures.Number(sig.ReduceKw, "0.#")} kW";
                table.AddRow(Markup.Escape(sig.Kind + (sig.Id is null ? string.Empty : $" {sig.Id}")), Markup.Escape(sig.Source), Markup.Escape(value), Markup.Escape(Figures.Time(sig.From)), Markup.Escape(Figures.Time(sig.Until)));
            }

            console.Write(table);
        }

        if (status.Allowances is { Count: > 0 } allowances)
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Curtailable contract", "Allowance", "Period from", "Used", "Left", "Note");
            foreach (CurtailmentAllowanceView a in allowances)
            {
                string note = a.RestoredUsedUp ? "used up during this curtailment: restored, not curtailed again" : a.LeftHours <= 0 ? "used up: left alone until the next period" : string.Empty;
                table.AddRow(
                    Markup.Escape(a.ContractId),
                    Markup.Escape($"{Figures.Number(a.AllowanceHours, "0.##")} h per {a.Period}"),
                    Markup.Escape(Figures.Time(a.PeriodStart)),
                    Markup.Escape($"{Figures.Number(a.UsedHours, "0.##")} h"),
                    Markup.Escape($"{Figures.Number(a.LeftHours, "0.##")} h"),
                    Markup.Escape(note));
            }

            console.Write(table);
        }

        RenderPlan(console, status.Now);
    }

    public static void RenderPlan(IAnsiConsole console, CurtailmentPlanView plan)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(plan);
        string head = plan.Recorded ? "Recorded" : "Dry run (nothing changed)";
        string goal = plan.GoalW is { } w ? $"shed {Kw(w)} of {Kw(plan.MeasuredPowerW)} measured" : plan.Steps.Count > 0 ? $"shed the whole house, contracts untouched (the site measures {Kw(plan.MeasuredPowerW)}, contracts included)" : "nothing to shed";
        console.MarkupLine($"{head}: {Markup.Escape(plan.Goal)}.");
        console.MarkupLine(Markup.Escape($"Goal: {goal}; plan sheds {Kw(plan.ShedW)} with {plan.Steps.Count(s => s.Action == "sleep")} miner(s) asleep and {plan.Steps.Count(s => s.Action == "lower-power")} at a lower power target{(plan.ShortfallW > 0 ? $", {Kw(plan.ShortfallW)} short" : string.Empty)}."));
        if (plan.Steps.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Miner", "Rack", "Action", "Owner", "J/TH", "Saves", "Why");
            foreach (CurtailmentStepView s in plan.Steps)
            {
                string action = s.Action == "sleep" ? "sleep" : $"power target {Figures.Number(s.PowerTargetW)} W";
                table.AddRow(
                    Markup.Escape(s.MinerId),
                    Markup.Escape(s.Rack),
                    Markup.Escape(action),
                    Markup.Escape(s.Owner),
                    Markup.Escape(double.IsFinite(s.JoulesPerTerahash) ? s.JoulesPerTerahash.ToString("0.0", CultureInfo.InvariantCulture) : "-"),
                    Markup.Escape(Kw(s.SavedW)),
                    Markup.Escape(s.Reason));
            }

            console.Write(table);
            var cost = new Table().Border(TableBorder.Rounded).AddColumns("Hashrate of", "Terms", "Miners", "Saves", "Loses");
            foreach (CurtailmentAssigneeView a in plan.Assignees)
            {
                cost.AddRow(Markup.Escape(a.Assignee), a.Assignee == "house" ? "unsold" : a.Curtailable ? "curtailable" : "protected", Figures.Number(a.Miners), Markup.Escape(Kw(a.SavedW)), Markup.Escape(Figures.Rate(a.LostHs)));
            }

            console.Write(cost);
        }

        foreach (string note in plan.Notes)
        {
            console.MarkupLine($"Note: {Markup.Escape(note)}.");
        }

        console.MarkupLine(plan.Enforced
            ? "Enforced through the agents."
            : plan.Recorded
                ? "[yellow]Not enforced yet[/]: sent to the agents through desired state; not every miner has confirmed it (read back and measured power)."
                : "[yellow]Not enforced[/]: a dry run sends nothing to the agents; `farmctl curtail apply` enforces a plan.");
    }

    public static void RenderEnd(IAnsiConsole console, CurtailmentPlanView plan)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(plan);
        console.MarkupLine($"Operator curtailment ended at site [bold]{Markup.Escape(plan.Site)}[/]; {plan.Steps.Count} miner(s) to restore in {plan.Restore.Count} wave(s) against inrush.");
        if (plan.Restore.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Wave", "At", "Miners", "Power");
            int n = 0;
            foreach (CurtailmentRestoreView w in plan.Restore)
            {
                table.AddRow(Figures.Number(++n), Markup.Escape(Figures.Time(w.At)), Markup.Escape(string.Join(", ", w.MinerIds)), Markup.Escape(Kw(w.PowerW)));
            }

            console.Write(table);
        }

        console.MarkupLine(plan.Enforced ? "Restore sent to the agents." : "[yellow]Not enforced yet[/]: the restore is planned; not every miner has confirmed it.");
    }

    private static string Kw(double watts) => (watts / 1000).ToString("0.0", CultureInfo.InvariantCulture) + " kW";

    private static string Money(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture) + "/MWh";
}
