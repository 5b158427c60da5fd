namespace CloudMining.Farm.Controller.Allocation;

/// <summary>A share of a miner held by a contract, by the contract's index inside one allocator run.</summary>
internal record struct ContractShare(int Contract, double Fraction);
