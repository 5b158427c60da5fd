using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;

namespace CloudMining.Farm.Tests.Controller.Curtailment.Baseline;

// Shedding within one group (the house, or one contract's miners): power targets first down to each miner's floor,
// least efficient first, the last one only as far as needed; then sleep, least efficient first.
internal sealed partial class BaselineCurtailmentRun
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

    /// <summary>What miner <paramref name="i"/> still draws asleep, W (see <see cref="CurtailmentSettings.SleepDrawFraction"/>).</summary>
    private double SleepDraw(int i) => _miners[i].PowerW * _settings.SleepDrawFraction;

    private void Sleep(int i)
    {
        _planned[i] = SleepDraw(i);
        if (_action[i] is null)
        {
            _order.Add(i);
        }

        _action[i] = CurtailmentAction.Sleep;
    }

    /// <summary>Whether miner <paramref name="i"/> is shed by <paramref name="g"/> as the house's part of a shared miner (power target only).</summary>
    private bool SharedIn(Group g, int i) => g.IsHouse && _houseFloor.Count > 0 && _houseFloor.ContainsKey(i);

    /// <summary>How far <paramref name="g"/> may lower miner <paramref name="i"/>, W.</summary>
    private double FloorIn(Group g, int i) => SharedIn(g, i) ? _houseFloor[i] : _floor[i];

    /// <summary>A set of miners shed together, with how far each pass has got.</summary>
    private sealed class Group(string assignee)
    {
        private int _lowerCursor;
        private int _sleepCursor;

        public string Assignee { get; } = assignee;

        public bool IsHouse => Assignee == HousePool.AssigneeId;

        public List<int> Members { get; } = [];

        /// <summary>Power it can still shed, W.</summary>
        public double Room(BaselineCurtailmentRun run)
        {
            double room = 0;
            foreach (int i in Members)
            {
                room += Math.Max(0, run._miners[i].CanSleep && !run.SharedIn(this, i) ? run._planned[i] - run.SleepDraw(i) : run._planned[i] - run.FloorIn(this, i));
            }

            return room;
        }

        /// <summary>Sheds up to <paramref name="amount"/> W (sleep may overshoot by less than one miner); returns what it shed (a sleeping miner still draws its sleep draw).</summary>
        public double Shed(BaselineCurtailmentRun run, double amount)
        {
            double done = 0;
            while (_lowerCursor < Members.Count && amount - done > Epsilon)
            {
                int i = Members[_lowerCursor];
                double room = run._planned[i] - run.FloorIn(this, i);
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
                if (!run._miners[i].CanSleep || run._action[i] == CurtailmentAction.Sleep || run.SharedIn(this, i))
                {
                    continue;
                }

                done += run._planned[i] - run.SleepDraw(i);
                run.Sleep(i);
                run._owner[i] = Assignee;
            }

            return done;
        }
    }
}
