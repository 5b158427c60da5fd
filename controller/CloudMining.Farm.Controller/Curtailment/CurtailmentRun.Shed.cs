namespace CloudMining.Farm.Controller.Curtailment;

// Shedding within one group (the house, or one contract's miners): power targets first down to each miner's floor,
// least efficient first, the last one only as far as needed; then sleep, least efficient first.
internal sealed partial class CurtailmentRun
{
    private void Lower(int i, double to)
    {
        _planned[i] = to;
        if (_action[i] == ActionNone)
        {
            _order[_orderCount++] = i;
        }

        _action[i] = ActionLower;
    }

    /// <summary>
    /// Group <paramref name="g"/> now owns miner <paramref name="i"/>'s step; inside a contract's round
    /// (<see cref="ShedPart"/>) a miner no round explained yet takes that round's reason.
    /// </summary>
    private void Own(int g, int i)
    {
        _owner[i] = g;
        if (_claimWhy >= 0 && _whose[i] < 0)
        {
            _whose[i] = _claimWhy;
            _whyClaimed = true;
        }
    }

    /// <summary>What miner <paramref name="i"/> still draws asleep, W (see <see cref="CurtailmentSettings.SleepDrawFraction"/>).</summary>
    private double SleepDraw(int i) => _miners[i].PowerW * _settings.SleepDrawFraction;

    private void Sleep(int i)
    {
        _planned[i] = SleepDraw(i);
        if (_action[i] == ActionNone)
        {
            _order[_orderCount++] = i;
        }

        _action[i] = ActionSleep;
    }

    /// <summary>Whether miner <paramref name="i"/> is shed by group <paramref name="g"/> as the house's part of a shared miner (power target only).</summary>
    private bool SharedIn(int g, int i) => g == House && _houseShared[i];

    /// <summary>How far group <paramref name="g"/> may lower miner <paramref name="i"/>, W.</summary>
    private double FloorIn(int g, int i) => SharedIn(g, i) ? _houseFloor[i] : _floor[i];

    /// <summary>Power group <paramref name="g"/> can still shed, W.</summary>
    private double Room(int g)
    {
        double room = 0;
        for (int k = _groupStart[g], end = k + _groupCount[g]; k < end; k++)
        {
            int i = _groupMembers[k];
            room += Math.Max(0, _miners[i].CanSleep && !SharedIn(g, i) ? _planned[i] - SleepDraw(i) : _planned[i] - FloorIn(g, i));
        }

        return room;
    }

    /// <summary>Sheds up to <paramref name="amount"/> W from group <paramref name="g"/> (sleep may overshoot by less than one miner); returns what it shed (a sleeping miner still draws its sleep draw).</summary>
    private double Shed(int g, double amount)
    {
        double done = 0;
        int end = _groupStart[g] + _groupCount[g];
        while (_lowerCursor[g] < end && amount - done > Epsilon)
        {
            int i = _groupMembers[_lowerCursor[g]];
            double room = _planned[i] - FloorIn(g, i);
            if (!_miners[i].CanSetPowerTarget || room <= Epsilon)
            {
                _lowerCursor[g]++;
                continue;
            }

            double take = Math.Min(room, amount - done);
            Lower(i, _planned[i] - take);
            Own(g, i);
            done += take;
            if (take >= room - Epsilon)
            {
                _lowerCursor[g]++;
            }
        }

        while (_sleepCursor[g] < end && amount - done > Epsilon)
        {
            int i = _groupMembers[_sleepCursor[g]++];
            if (!_miners[i].CanSleep || _action[i] == ActionSleep || SharedIn(g, i))
            {
                continue;
            }

            done += _planned[i] - SleepDraw(i);
            Sleep(i);
            Own(g, i);
        }

        return done;
    }
}
