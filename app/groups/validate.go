package groups

import (
	"slices"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
)

const (
	maxSummaryLength = 5000
	maxRulesLength   = 20000
	maxReasonLength  = 1000
)

// postingPolicyOrDefault checks a posting policy; empty means the default, followers.
func postingPolicyOrDefault(policy model.PostingPolicy) (model.PostingPolicy, error) {
	if policy == "" {
		return model.PostingFollowers, nil
	}
	if !slices.Contains(model.PostingPolicies(), policy) {
		return "", apperror.Invalid("posting_policy", "must be one of followers, anyone, moderators, premoderated (got %q)", string(policy))
	}
	return policy, nil
}
