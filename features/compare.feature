@carepath
Feature: The seed rule and Interfant-06 side by side on the seed cohort
  The seed paper (Lee et al. 2011) calls an infant high risk, and refers it for allogeneic HSCT, when
  any one of three criteria holds: under 6 months, WBC of 50,000/µL or more, or an MLL translocation.
  Interfant-06 asks for more: high risk needs an MLL rearrangement AND an age under 6 months AND a WBC
  of 300,000/µL or more or a poor prednisone response; every other MLL-rearranged infant is medium
  risk, and is referred only when MRD at the start of OCTADAD is 10^-4 or more. Every infant without
  an MLL rearrangement (germline or dupMLL) is low risk.

  On the nine infants of Table 1 the seed rule refers seven to HSCT. Interfant-06 refers none
  outright: the four without a translocation are low risk, and the three with one are medium risk and
  wait for an MRD result that a record at diagnosis cannot have.

  Background:
    Given the protocols "protocols/severance_2011.care" and "protocols/interfant06.care"
    And the patients in "cohorts/severance_2011.yaml"

  Scenario: The seed rule refers seven infants; Interfant-06 refers none outright
    When the protocols are compared
    Then 7 of the 9 patients change "hsct_referral"
    And 4 patients change "hsct_referral" from "yes" to "no"
    And 3 patients change "hsct_referral" from "yes" to "undetermined"
    And 0 patients change "hsct_referral" from "no" to "yes"
    And patient "2" keeps "hsct_referral" at "no"
    And patient "3" keeps "hsct_referral" at "no"
    And no patient is rejected by either protocol

  Scenario Outline: Patient <patient>, MLL-rearranged, is medium risk under Interfant-06 and waits for MRD
    When the protocols are compared
    Then patient "<patient>" changes "risk_group" from "high" to "medium"
    And patient "<patient>" changes "hsct_referral" from "yes" to "undetermined"
    And under "interfant06", "risk_group" for patient "<patient>" was decided by "mll_rearranged"
    And under "interfant06" patient "<patient>" is undetermined and needs "mrd_before_octadad"

    Examples:
      | patient |
      | 1       |
      | 8       |
      | 9       |

  Scenario: The four infants referred for age or count alone are low risk under Interfant-06
    When the protocols are compared
    Then 4 patients change "risk_group" from "high" to "low"
    And 2 patients change "risk_group" from "standard" to "low"
    And 3 patients change "risk_group" from "high" to "medium"
    And 0 patients change "risk_group" from "high" to "high"
    And patient "4" changes "hsct_referral" from "yes" to "no"
    And under "severance_2011", "risk_group" for patient "4" was decided by "infant_under_6_months"
    And under "interfant06", "risk_group" for patient "4" was decided by "mll_rearranged"
    And under "severance_2011", "risk_group" for patient "6" was decided by "infant_under_6_months, hyperleukocytosis"
    And patient "6" changes "risk_group" from "high" to "low"

  Scenario: With an MRD result the medium-risk infant's referral is decided either way
    Given a patient "MRD high" with:
      | field              | value         |
      | age_at_diagnosis   | 8 months      |
      | wbc_at_diagnosis   | 40000 /uL     |
      | mll                | translocation |
      | mrd_before_octadad | 0.05 %        |
    And a patient "MRD low" with:
      | field              | value         |
      | age_at_diagnosis   | 8 months      |
      | wbc_at_diagnosis   | 40000 /uL     |
      | mll                | translocation |
      | mrd_before_octadad | 0.001 %       |
    When the protocols are compared
    Then patient "MRD high" keeps "hsct_referral" at "yes"
    And patient "MRD low" changes "hsct_referral" from "yes" to "no"
    And patient "MRD high" changes "risk_group" from "high" to "medium"
    And patient "MRD high" is accepted under "severance_2011"

  Scenario: A value only Interfant-06 reads is checked by Interfant-06 alone
    Given a patient "odd" with:
      | field                  | value    |
      | age_at_diagnosis       | 4 months |
      | wbc_at_diagnosis       | 8000 /uL |
      | mll                    | germline |
      | prednisone_day8_blasts | 30 kg    |
    When the protocols are compared
    Then patient "odd" is accepted under "severance_2011"
    And patient "odd" is rejected under "interfant06"
    And patient "odd" changes "hsct_referral" from "yes" to "invalid"
