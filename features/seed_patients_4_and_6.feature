@carepath
Feature: The seed's patients 4 and 6 under the seed rule, Interfant-06 and MLL-10
  Patients 4 and 6 were both 5 months old at diagnosis with a duplication of 11q23 (dupMLL). The seed rule
  calls them high risk for their age alone (under 6 months) and both were transplanted (Table 2); both died
  after HSCT. Under Interfant-06 and MLL-10 they are low risk: both trials stratify by MLL rearrangement
  first, a dupMLL is not one, and MLL-germline infants are low risk whatever their age (Interfant-06: "LR =
  all MLL-germline cases"; MLL-10: "LR = MLL-germline"). Neither trial would have referred them.

  Scenario Outline: Patient <patient> under the seed rule: high risk for age, referred
    Given the protocol "protocols/severance_2011.care"
    And the patients in "cohorts/severance_2011.yaml"
    When the protocol is evaluated
    Then patient "<patient>" has "mll_finding" recorded as "dupMLL(11q23)"
    And patient "<patient>" has "age_at_diagnosis" recorded as "5 months"
    And patient "<patient>" is assigned "high" for "risk_group"
    And the decision "hsct_referral" for patient "<patient>" is "yes"
    And "risk_group" for patient "<patient>" was decided by "<decided by>"
    And "mll_translocation" does not hold for patient "<patient>"

    # 4 has WBC 1,180/µL, so age alone decides; 6 has 123,800/µL, so age and the count both do.
    Examples:
      | patient | decided by                               |
      | 4       | infant_under_6_months                    |
      | 6       | infant_under_6_months, hyperleukocytosis |

  Scenario Outline: Patient <patient> under <protocol>: low risk as MLL-germline, not referred
    Given the protocol "<protocol>"
    And the patients in "cohorts/severance_2011.yaml"
    When the protocol is evaluated
    Then patient "<patient>" is assigned "low" for "risk_group"
    And the decision "hsct_referral" for patient "<patient>" is "no"
    And "mll_rearranged" does not hold for patient "<patient>"
    And "<age criterion>" holds for patient "<patient>"

    # Young enough for each trial's age criterion (5 months is under 6 months, and at most 153 days, under
    # 180), which matters only for an MLL-rearranged infant.
    Examples:
      | patient | protocol                   | age criterion         |
      | 4       | protocols/interfant06.care | infant_under_6_months |
      | 6       | protocols/interfant06.care | infant_under_6_months |
      | 4       | protocols/mll10.care       | under_180_days        |
      | 6       | protocols/mll10.care       | under_180_days        |

  Scenario: Side by side, the seed rule and Interfant-06 disagree on both
    Given the protocols "protocols/severance_2011.care" and "protocols/interfant06.care"
    And the patients in "cohorts/severance_2011.yaml"
    When the protocols are compared
    Then patient "4" changes "risk_group" from "high" to "low"
    And patient "6" changes "risk_group" from "high" to "low"
    And patient "4" changes "hsct_referral" from "yes" to "no"
    And patient "6" changes "hsct_referral" from "yes" to "no"

  Scenario: Side by side, the seed rule and MLL-10 disagree on both
    Given the protocols "protocols/severance_2011.care" and "protocols/mll10.care"
    And the patients in "cohorts/severance_2011.yaml"
    When the protocols are compared
    Then patient "4" changes "risk_group" from "high" to "low"
    And patient "6" changes "risk_group" from "high" to "low"
    And patient "4" changes "hsct_referral" from "yes" to "no"
    And patient "6" changes "hsct_referral" from "yes" to "no"

  Scenario: Under the seed rule their referral falls due within 6 months of diagnosis
    Given the protocol "protocols/severance_2011.care"
    And the patients in "cohorts/severance_2011.yaml"
    When the protocol is evaluated
    Then the explanation for patient "4" shows "due within 6 months of date_of_diagnosis (date_of_diagnosis not recorded)"
    And the explanation for patient "6" shows "Kosaka Y et al. Blood 2004;104:3527"
