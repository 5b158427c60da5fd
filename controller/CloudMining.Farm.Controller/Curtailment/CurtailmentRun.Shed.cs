namespace CloudMining.Farm.Controller.Curtailment;

// Shedding within one group (the house, or one contract's miners): power targets first down to each miner's floor,
// least efficient first, the last one only as far as needed; then sleep, least efficient first.
internal sealed partial class CurtailmentRun
{
    private void Lower(int i, double to)
    {
        _planned[i] = to;
        if (_action[i] is null)
        {
            _order.Add(i);
        }

        _action[i] = CurtailmentAction.LowerPower;
    }

    private void Sleep(int i)
    {
        _planned[i] = 0;
        if (_action[i] is null)
        {
            _order.Add(i);
        }

        _action[i] = CurtailmentAction.Sleep;
    }

    /// <summary>A set of miners shed together, with how far each pass has got.</summary>
    private sealed class Group(string assignee)
    {
        private int _lowerCursor;
        private int _sleepCursor;

        public string Assignee { get; } = assignee;

        public List<int> Members { get; } = [];

        /// <summary>Power it can still shed, W.</summary>
        public double Room(CurtailmentRun run)
        {
            double room = 0;
            foreach (int i in Members)
            {
                room += run._miners[i].CanSleep ? run._planned[i] : run._planned[i] - run._floor[i];
            }

            return room;
        }

        /// <summary>Sheds up to <paramref name="amount"/> W (sleep may overshoot by less than one miner); returns what it shed.</summary>
        public double Shed(CurtailmentRun run, double amount)
        {
            double done = 0;
            while (_lowerCursor < Members.Count && amount - done > Epsilon)
            {
                int i = Members[_lowerCursor];
                double room = run._planned[i] - run._floor[i];
                if (!run._miners[i].CanSetPowerTarget || room <= Epsilon)
                {
                    _lowerCursor++;
                    continue;
                }

                double take = Math.Min(room, amount - done);
                run.Lower(i, run._planned[i] - take);
                run._owner[i] = Assignee;
                done += take;
                if (take >= room - Epsilon)
                {
                    _lowerCursor++;
                }
            }

            while (_sleepCursor < Members.Count && amount - done > Epsilon)
            {
                int i = Members[_sleepCursor++];
                if (!run._miners[i].CanSleep || run._planned[i] <= 0)
                {
                    continue;
                }

                done += run._planned[i];
                run.Sleep(i);
                run._owner[i] = Assignee;
            }

            return done;
        }
    }
}
